//===- Npy.cpp - Read and write NumPy .npy arrays -------------------------===//

#include "interact/Support/Npy.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace mlir::interact;
using namespace mlir::interact::npy;
using llvm::StringRef;

size_t npy::getByteWidth(DType dtype) {
  switch (dtype) {
  case DType::F16:
  case DType::BF16:
    return 2;
  case DType::F32:
  case DType::I32:
    return 4;
  case DType::F64:
  case DType::I64:
    return 8;
  }
  llvm_unreachable("unknown dtype");
}

StringRef npy::getName(DType dtype) {
  switch (dtype) {
  case DType::F16:
    return "f16";
  case DType::BF16:
    return "bf16";
  case DType::F32:
    return "f32";
  case DType::F64:
    return "f64";
  case DType::I32:
    return "i32";
  case DType::I64:
    return "i64";
  }
  llvm_unreachable("unknown dtype");
}

StringRef npy::getDescr(DType dtype) {
  switch (dtype) {
  case DType::F16:
    return "<f2";
  case DType::BF16:
    return "|V2";
  case DType::F32:
    return "<f4";
  case DType::F64:
    return "<f8";
  case DType::I32:
    return "<i4";
  case DType::I64:
    return "<i8";
  }
  llvm_unreachable("unknown dtype");
}

int64_t Array::getNumElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

static const llvm::fltSemantics &getSemantics(DType dtype) {
  return dtype == DType::F16 ? llvm::APFloat::IEEEhalf()
                             : llvm::APFloat::BFloat();
}

double Array::getAsDouble(int64_t i) const {
  const char *p = data.data() + i * getByteWidth(dtype);
  switch (dtype) {
  case DType::F16:
  case DType::BF16: {
    uint16_t bits;
    std::memcpy(&bits, p, 2);
    llvm::APFloat value(getSemantics(dtype), llvm::APInt(16, bits));
    return value.convertToDouble();
  }
  case DType::F32: {
    float v;
    std::memcpy(&v, p, 4);
    return v;
  }
  case DType::F64: {
    double v;
    std::memcpy(&v, p, 8);
    return v;
  }
  case DType::I32: {
    int32_t v;
    std::memcpy(&v, p, 4);
    return v;
  }
  case DType::I64: {
    int64_t v;
    std::memcpy(&v, p, 8);
    return static_cast<double>(v);
  }
  }
  llvm_unreachable("unknown dtype");
}

void Array::setFromDouble(int64_t i, double value) {
  char *p = data.data() + i * getByteWidth(dtype);
  switch (dtype) {
  case DType::F16:
  case DType::BF16: {
    llvm::APFloat v(value);
    bool losesInfo;
    v.convert(getSemantics(dtype), llvm::APFloat::rmNearestTiesToEven,
              &losesInfo);
    uint16_t bits = v.bitcastToAPInt().getZExtValue();
    std::memcpy(p, &bits, 2);
    return;
  }
  case DType::F32: {
    float v = static_cast<float>(value);
    std::memcpy(p, &v, 4);
    return;
  }
  case DType::F64:
    std::memcpy(p, &value, 8);
    return;
  case DType::I32: {
    int32_t v = static_cast<int32_t>(value);
    std::memcpy(p, &v, 4);
    return;
  }
  case DType::I64: {
    int64_t v = static_cast<int64_t>(value);
    std::memcpy(p, &v, 8);
    return;
  }
  }
}

Array Array::zeros(DType dtype, llvm::ArrayRef<int64_t> shape) {
  Array array;
  array.dtype = dtype;
  array.shape.assign(shape.begin(), shape.end());
  array.data.assign(array.getNumElements() * getByteWidth(dtype), 0);
  return array;
}

static llvm::Error error(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

static llvm::Expected<DType> parseDescr(StringRef descr) {
  if (descr.starts_with(">"))
    return error("big-endian data ('" + descr +
                 "') is not supported: save it little-endian");
  static const std::pair<StringRef, DType> known[] = {
      {"<f2", DType::F16}, {"<f4", DType::F32}, {"<f8", DType::F64},
      {"<i4", DType::I32}, {"<i8", DType::I64}, {"|V2", DType::BF16},
      {"<V2", DType::BF16}};
  for (auto [name, dtype] : known)
    if (descr == name)
      return dtype;
  return error("unsupported dtype '" + descr +
               "' (supported: <f2, bf16 as |V2, <f4, <f8, <i4, <i8)");
}

namespace {

/// The header's entries, as written.
struct Header {
  std::optional<StringRef> descr, fortranOrder, shape;
  llvm::SmallVector<int64_t> dims;
};

/// Parses the header, a Python dict literal, as strictly as numpy.load does:
/// exactly the keys 'descr' (a string), 'fortran_order' (True or False) and
/// 'shape' (a tuple of non-negative integers, Python 2's `3L` included), each
/// once, followed by nothing but padding.
class HeaderParser {
public:
  explicit HeaderParser(StringRef text) : rest(text) {}

  llvm::Expected<Header> parse() {
    Header header;
    skipSpace();
    if (!rest.consume_front("{"))
      return error("the header is not a dict: it does not start with '{'");
    skipSpace();
    while (!rest.consume_front("}")) {
      std::optional<StringRef> key = parseString();
      if (!key)
        return error("malformed header: expected a quoted key at '" +
                     excerpt() + "'");
      std::optional<StringRef> *slot = key == "descr" ? &header.descr
                                       : key == "fortran_order"
                                           ? &header.fortranOrder
                                       : key == "shape" ? &header.shape
                                                        : nullptr;
      if (!slot)
        return error("unexpected key '" + *key +
                     "' in the header (a .npy header has 'descr', "
                     "'fortran_order' and 'shape')");
      if (*slot)
        return error("duplicate '" + *key + "' entry in the header");
      skipSpace();
      if (!rest.consume_front(":"))
        return error("malformed '" + *key + "' entry in the header");
      skipSpace();
      llvm::Expected<StringRef> value = *key == "descr" ? parseDescrValue()
                                        : *key == "shape"
                                            ? parseShape(header.dims)
                                            : parseBool();
      if (!value)
        return value.takeError();
      *slot = *value;
      skipSpace();
      if (rest.consume_front(","))
        skipSpace();
      else if (!rest.starts_with("}"))
        return error("malformed header: expected ',' or '}' at '" + excerpt() +
                     "'");
    }
    skipSpace();
    if (!rest.empty())
      return error("unexpected text after the header dict: '" + excerpt() +
                   "'");
    for (auto [entry, key] : {std::pair(header.descr, "descr"),
                              std::pair(header.fortranOrder, "fortran_order"),
                              std::pair(header.shape, "shape")})
      if (!entry)
        return error(llvm::Twine("the header has no '") + key + "' entry");
    return header;
  }

private:
  void skipSpace() { rest = rest.ltrim(" \t\r\n"); }

  /// The next few characters, for messages.
  std::string excerpt() const {
    StringRef line = rest.take_until([](char c) { return c == '\n'; });
    return line.take_front(16).str() + (line.size() > 16 ? "..." : "");
  }

  /// A string in single or double quotes, without escapes.
  std::optional<StringRef> parseString() {
    if (rest.empty() || (rest[0] != '\'' && rest[0] != '"'))
      return std::nullopt;
    size_t close = rest.find(rest[0], 1);
    if (close == StringRef::npos)
      return std::nullopt;
    StringRef text = rest.slice(1, close);
    if (text.contains('\\'))
      return std::nullopt;
    rest = rest.drop_front(close + 1);
    return text;
  }

  llvm::Expected<StringRef> parseDescrValue() {
    if (std::optional<StringRef> descr = parseString())
      return *descr;
    return error("the header's descr is not a quoted string (structured "
                 "dtypes are not supported)");
  }

  llvm::Expected<StringRef> parseBool() {
    for (StringRef word : {"True", "False"})
      if (rest.consume_front(word))
        return word;
    return error("malformed fortran_order in the header: expected True or "
                 "False at '" +
                 excerpt() + "'");
  }

  /// A tuple of integers: `()`, `(3,)`, `(2, 3)`, `(2, 3,)`. `(3)` is an
  /// integer in Python, not a tuple, and numpy.load refuses it.
  llvm::Expected<StringRef> parseShape(llvm::SmallVectorImpl<int64_t> &dims) {
    // The value as written, for messages: up to the tuple's end, or the
    // entry's.
    size_t close = rest.find(')');
    StringRef text =
        !rest.starts_with("(")
            ? rest.take_until([](char c) { return c == ',' || c == '}'; })
        : close == StringRef::npos
            ? rest.take_until([](char c) { return c == '}'; })
            : rest.take_front(close + 1);
    text = text.rtrim();
    auto notATuple = [&] {
      return error("the header's shape must be a tuple of integers such as "
                   "(2, 3) or (3,), got " +
                   (text.empty() ? StringRef("nothing") : text));
    };
    if (!rest.consume_front("("))
      return notATuple();
    bool trailingComma = false;
    skipSpace();
    while (!rest.consume_front(")")) {
      if (rest.starts_with("-"))
        return error("malformed shape " + text +
                     " in the header: a dimension is negative");
      StringRef digits = rest.take_while(llvm::isDigit);
      int64_t d;
      if (digits.empty())
        return notATuple();
      if (digits.getAsInteger(10, d))
        return error("shape " + text +
                     " in the header is too large: a dimension does not fit "
                     "in 63 bits");
      dims.push_back(d);
      rest = rest.drop_front(digits.size());
      rest.consume_front("L");
      skipSpace();
      trailingComma = rest.consume_front(",");
      skipSpace();
      if (!trailingComma && !rest.starts_with(")"))
        return notATuple();
    }
    if (dims.size() == 1 && !trailingComma)
      return notATuple();
    return text;
  }

  StringRef rest;
};

} // namespace

std::optional<int64_t> npy::getByteSize(DType dtype,
                                        llvm::ArrayRef<int64_t> shape) {
  // The product of the non-zero dimensions must fit too, so that strides
  // and offsets of an empty array do not overflow either.
  int64_t bytes = getByteWidth(dtype);
  bool empty = false;
  for (int64_t d : shape) {
    if (d < 0)
      return std::nullopt;
    empty |= d == 0;
    if (d != 0 && llvm::MulOverflow(bytes, d, bytes))
      return std::nullopt;
  }
  return empty ? 0 : bytes;
}

llvm::Expected<Array> npy::parse(StringRef bytes) {
  if (!bytes.starts_with("\x93NUMPY"))
    return error("not a .npy file (bad magic string)");
  if (bytes.size() < 10)
    return error("truncated .npy header");
  unsigned major = static_cast<unsigned char>(bytes[6]);
  size_t headerLen, headerStart;
  if (major == 1) {
    headerLen = static_cast<unsigned char>(bytes[8]) |
                (static_cast<unsigned char>(bytes[9]) << 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return error("truncated .npy header");
    headerLen = 0;
    for (int i = 3; i >= 0; --i)
      headerLen = (headerLen << 8) | static_cast<unsigned char>(bytes[8 + i]);
    headerStart = 12;
  } else {
    return error("unsupported .npy version " + llvm::Twine(major));
  }
  if (bytes.size() < headerStart + headerLen)
    return error("truncated .npy header");
  StringRef headerText = bytes.substr(headerStart, headerLen);

  llvm::Expected<Header> header = HeaderParser(headerText).parse();
  if (!header)
    return header.takeError();
  llvm::Expected<DType> dtype = parseDescr(*header->descr);
  if (!dtype)
    return dtype.takeError();
  if (*header->fortranOrder == "True")
    return error("Fortran-order arrays are not supported: save a C-order "
                 "array (numpy.ascontiguousarray)");
  Array array;
  array.dtype = *dtype;
  array.shape = header->dims;
  std::optional<int64_t> byteSize = getByteSize(array.dtype, array.shape);
  if (!byteSize)
    return error("shape " + *header->shape + " of " + getName(array.dtype) +
                 " is too large: its size in bytes does not fit in 63 bits");

  size_t expected = *byteSize;
  StringRef payload = bytes.drop_front(headerStart + headerLen);
  if (payload.size() < expected)
    return error("truncated data: the header promises " +
                 llvm::Twine(expected) + " bytes, the file has " +
                 llvm::Twine(payload.size()));
  if (payload.size() > expected)
    return error("trailing data: the header promises " + llvm::Twine(expected) +
                 " bytes, the file has " + llvm::Twine(payload.size()));
  array.data.assign(payload.begin(), payload.end());
  return array;
}

llvm::Expected<Array> npy::read(StringRef path) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> file =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (!file)
    return error("cannot read '" + path + "': " + file.getError().message());
  llvm::Expected<Array> array = parse((*file)->getBuffer());
  if (!array)
    return error("'" + path + "': " + llvm::toString(array.takeError()));
  return array;
}

std::string npy::serialize(const Array &array) {
  std::string dict;
  llvm::raw_string_ostream os(dict);
  os << "{'descr': '" << getDescr(array.dtype)
     << "', 'fortran_order': False, 'shape': (";
  for (int64_t d : array.shape)
    os << d << (array.shape.size() == 1 ? "," : ", ");
  if (array.shape.size() > 1)
    dict.resize(dict.size() - 2);
  os << "), }";
  // Pad with spaces so that the data starts at a multiple of 64 bytes.
  size_t total = 10 + dict.size() + 1;
  dict.append((64 - total % 64) % 64, ' ');
  dict.push_back('\n');

  std::string out = "\x93NUMPY";
  out.push_back(1);
  out.push_back(0);
  out.push_back(static_cast<char>(dict.size() & 0xff));
  out.push_back(static_cast<char>(dict.size() >> 8));
  out += dict;
  out.append(array.data.begin(), array.data.end());
  return out;
}

llvm::Error npy::write(StringRef path, const Array &array) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return error("cannot write '" + path + "': " + ec.message());
  os << serialize(array);
  os.close();
  if (os.has_error()) {
    // A stream destroyed with its error set aborts the process.
    std::string message = os.error().message();
    os.clear_error();
    return error("cannot write '" + path + "': " + message);
  }
  return llvm::Error::success();
}
