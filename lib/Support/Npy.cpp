//===- Npy.cpp - Read and write NumPy .npy arrays -------------------------===//

#include "interact/Support/Npy.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
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

/// Returns the value text of `key` in the header dict, up to the next
/// top-level comma or closing brace.
static llvm::Expected<StringRef> findValue(StringRef header, StringRef key) {
  std::string quoted = ("'" + key + "'").str();
  size_t at = header.find(quoted);
  if (at == StringRef::npos)
    return error("the header has no '" + key + "' entry");
  StringRef rest = header.drop_front(at + quoted.size()).ltrim();
  if (!rest.consume_front(":"))
    return error("malformed '" + key + "' entry in the header");
  rest = rest.ltrim();
  if (rest.starts_with("(")) {
    size_t close = rest.find(')');
    if (close == StringRef::npos)
      return error("unterminated shape tuple in the header");
    return rest.take_front(close + 1);
  }
  size_t end = rest.find_first_of(",}");
  return rest.take_front(end).trim();
}

static llvm::Expected<DType> parseDescr(StringRef descr) {
  if (!(descr.consume_front("'") && descr.consume_back("'")))
    return error("the header's descr is not a quoted string");
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
  StringRef header = bytes.substr(headerStart, headerLen);

  Array array;
  llvm::Expected<StringRef> descr = findValue(header, "descr");
  if (!descr)
    return descr.takeError();
  llvm::Expected<DType> dtype = parseDescr(*descr);
  if (!dtype)
    return dtype.takeError();
  array.dtype = *dtype;

  llvm::Expected<StringRef> fortran = findValue(header, "fortran_order");
  if (!fortran)
    return fortran.takeError();
  if (*fortran == "True")
    return error("Fortran-order arrays are not supported: save a C-order "
                 "array (numpy.ascontiguousarray)");
  if (*fortran != "False")
    return error("malformed fortran_order in the header");

  llvm::Expected<StringRef> shapeText = findValue(header, "shape");
  if (!shapeText)
    return shapeText.takeError();
  StringRef dims = shapeText->drop_front().drop_back();
  llvm::SmallVector<StringRef> parts;
  dims.split(parts, ',', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
  for (StringRef part : parts) {
    part = part.trim();
    if (part.empty())
      continue;
    int64_t d;
    if (part.getAsInteger(10, d) || d < 0)
      return error("malformed shape " + *shapeText + " in the header");
    array.shape.push_back(d);
  }

  size_t expected = 0;
  if (array.getNumElements() > 0)
    expected = array.getNumElements() * getByteWidth(array.dtype);
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
  if (os.has_error())
    return error("cannot write '" + path + "': " + os.error().message());
  return llvm::Error::success();
}
