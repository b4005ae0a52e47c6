//===- NpyTest.cpp - .npy reading and writing -----------------------------===//

#include "interact/Support/Npy.h"

#include "gtest/gtest.h"

#include <cstring>

using namespace mlir::interact;

namespace {

/// A version 1.0 file with the given header dict and payload.
std::string npyFile(const std::string &dict, const std::string &payload) {
  std::string header = dict + "\n";
  std::string out = "\x93NUMPY";
  out.push_back(1);
  out.push_back(0);
  out.push_back(static_cast<char>(header.size() & 0xff));
  out.push_back(static_cast<char>(header.size() >> 8));
  return out + header + payload;
}

std::string errorOf(llvm::Expected<npy::Array> result) {
  EXPECT_FALSE(result);
  return result ? "" : llvm::toString(result.takeError());
}

TEST(NpyTest, RoundTripsEveryDType) {
  for (npy::DType dtype : {npy::DType::F16, npy::DType::BF16, npy::DType::F32,
                           npy::DType::F64, npy::DType::I32, npy::DType::I64}) {
    npy::Array array = npy::Array::zeros(dtype, {2, 3});
    for (int64_t i = 0; i < 6; ++i)
      array.setFromDouble(
          i, i - 2.5 * (dtype != npy::DType::I32 && dtype != npy::DType::I64));
    llvm::Expected<npy::Array> back = npy::parse(npy::serialize(array));
    ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
    EXPECT_EQ(back->dtype, dtype);
    EXPECT_EQ(back->shape, array.shape);
    EXPECT_EQ(back->data, array.data);
    // The data starts at a multiple of 64 bytes.
    EXPECT_EQ((npy::serialize(array).size() - array.data.size()) % 64, 0u);
  }
}

TEST(NpyTest, ConvertsSixteenBitFloats) {
  npy::Array half = npy::Array::zeros(npy::DType::F16, {1});
  half.setFromDouble(0, 1.0 / 3);
  EXPECT_DOUBLE_EQ(half.getAsDouble(0), 0.333251953125);
  npy::Array brain = npy::Array::zeros(npy::DType::BF16, {1});
  brain.setFromDouble(0, 1.0 / 3);
  EXPECT_DOUBLE_EQ(brain.getAsDouble(0), 0.333984375);
  uint16_t bits;
  std::memcpy(&bits, brain.data.data(), 2);
  EXPECT_EQ(bits, 0x3eab);
}

TEST(NpyTest, ReadsScalarsAndOneDimensionalShapes) {
  std::string four(4, '\0');
  llvm::Expected<npy::Array> scalar =
      npy::parse(npy::serialize(npy::Array::zeros(npy::DType::F32, {})));
  ASSERT_TRUE(bool(scalar));
  EXPECT_TRUE(scalar->shape.empty());
  llvm::Expected<npy::Array> vector = npy::parse(npyFile(
      "{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }", four));
  ASSERT_TRUE(bool(vector));
  EXPECT_EQ(vector->shape, llvm::SmallVector<int64_t>{1});
}

TEST(NpyTest, RejectsBadFiles) {
  std::string eight(8, '\0');
  EXPECT_NE(errorOf(npy::parse("PK\3\4 zip")).find("bad magic"),
            std::string::npos);
  EXPECT_NE(errorOf(npy::parse(npyFile("{'descr': '<f4', 'fortran_order': "
                                       "True, 'shape': (2,), }",
                                       eight)))
                .find("Fortran-order"),
            std::string::npos);
  EXPECT_NE(errorOf(npy::parse(npyFile("{'descr': '>f4', 'fortran_order': "
                                       "False, 'shape': (2,), }",
                                       eight)))
                .find("big-endian"),
            std::string::npos);
  EXPECT_NE(errorOf(npy::parse(npyFile("{'descr': '<c8', 'fortran_order': "
                                       "False, 'shape': (1,), }",
                                       eight)))
                .find("unsupported dtype '<c8'"),
            std::string::npos);
  EXPECT_NE(errorOf(npy::parse(npyFile("{'descr': '<f4', 'fortran_order': "
                                       "False, 'shape': (3,), }",
                                       eight)))
                .find("truncated data"),
            std::string::npos);
  EXPECT_NE(errorOf(npy::parse(npyFile("{'descr': '<f4', 'fortran_order': "
                                       "False, 'shape': (-3,), }",
                                       eight)))
                .find("malformed shape"),
            std::string::npos);
  EXPECT_NE(errorOf(npy::parse(npyFile("{'fortran_order': False, 'shape': "
                                       "(2,), }",
                                       eight)))
                .find("no 'descr'"),
            std::string::npos);
  EXPECT_NE(errorOf(npy::read("/nonexistent/file.npy")).find("cannot read"),
            std::string::npos);
}

/// The error of parsing a file with the given header dict and no payload.
std::string headerError(const std::string &dict) {
  return errorOf(npy::parse(npyFile(dict, "")));
}

TEST(NpyTest, RejectsShapesThatAreNotTuples) {
  // Read as (32,) when the header was scanned for digits.
  EXPECT_EQ(headerError("{'descr': '<f4', 'fortran_order': False, "
                        "'shape': 1324, }"),
            "the header's shape must be a tuple of integers such as (2, 3) "
            "or (3,), got 1324");
  // Python's (3) is an integer.
  EXPECT_EQ(headerError("{'descr': '<f4', 'fortran_order': False, "
                        "'shape': (3), }"),
            "the header's shape must be a tuple of integers such as (2, 3) "
            "or (3,), got (3)");
  EXPECT_EQ(headerError("{'descr': '<f4', 'fortran_order': False, "
                        "'shape': [2, 3], }"),
            "the header's shape must be a tuple of integers such as (2, 3) "
            "or (3,), got [2");
  EXPECT_EQ(headerError("{'descr': '<f4', 'fortran_order': False, "
                        "'shape': (2 3), }"),
            "the header's shape must be a tuple of integers such as (2, 3) "
            "or (3,), got (2 3)");
  EXPECT_EQ(headerError("{'descr': '<f4', 'fortran_order': False, "
                        "'shape': (2, x), }"),
            "the header's shape must be a tuple of integers such as (2, 3) "
            "or (3,), got (2, x)");
  EXPECT_EQ(headerError("{'descr': '<f4', 'fortran_order': False, "
                        "'shape': (2.5,), }"),
            "the header's shape must be a tuple of integers such as (2, 3) "
            "or (3,), got (2.5,)");
}

TEST(NpyTest, RejectsMalformedHeaders) {
  EXPECT_EQ(headerError("'descr': '<f4', 'fortran_order': False, "
                        "'shape': (2,)"),
            "the header is not a dict: it does not start with '{'");
  EXPECT_EQ(headerError("{'descr': '<f4', 'fortran_order': False, "
                        "'shape': (2,), 'extra': 1}"),
            "unexpected key 'extra' in the header (a .npy header has "
            "'descr', 'fortran_order' and 'shape')");
  EXPECT_EQ(headerError("{'descr': '<f4', 'descr': '<f8', "
                        "'fortran_order': False, 'shape': (2,)}"),
            "duplicate 'descr' entry in the header");
  EXPECT_EQ(headerError("{'descr': '<f4', 'fortran_order': False}"),
            "the header has no 'shape' entry");
  EXPECT_EQ(headerError("{'descr': '<f4', 'fortran_order': 0, "
                        "'shape': (2,)}"),
            "malformed fortran_order in the header: expected True or False "
            "at '0, 'shape': (2,)...'");
  EXPECT_EQ(headerError("{'descr': [('a', '<f4')], 'fortran_order': False, "
                        "'shape': (2,)}"),
            "the header's descr is not a quoted string (structured dtypes "
            "are not supported)");
  EXPECT_EQ(headerError("{'descr': '<f4' 'fortran_order': False, "
                        "'shape': (2,)}"),
            "malformed header: expected ',' or '}' at ''fortran_order':...'");
  EXPECT_EQ(headerError("{'descr': '<f4', 'fortran_order': False, "
                        "'shape': (2,)} junk"),
            "unexpected text after the header dict: 'junk'");
  EXPECT_EQ(headerError("{'descr': '<f4', 'fortran_order': False, "
                        "'shape': (2,"),
            "the header's shape must be a tuple of integers such as (2, 3) "
            "or (3,), got (2,");
}

TEST(NpyTest, AcceptsWhatNumPyWrites) {
  std::string eight(8, '\0');
  // Double quotes, no trailing comma, Python 2's long integers, padding.
  llvm::Expected<npy::Array> array = npy::parse(npyFile(
      "{\"descr\": \"<f4\", \"shape\": (1L, 2L), \"fortran_order\": False}"
      "      ",
      eight));
  ASSERT_TRUE(bool(array)) << llvm::toString(array.takeError());
  EXPECT_EQ(array->shape, (llvm::SmallVector<int64_t>{1, 2}));
  llvm::Expected<npy::Array> empty = npy::parse(npyFile(
      "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 5, ), }", ""));
  ASSERT_TRUE(bool(empty)) << llvm::toString(empty.takeError());
  EXPECT_EQ(empty->shape, (llvm::SmallVector<int64_t>{0, 5}));
}

TEST(NpyTest, RejectsShapesWhoseByteCountOverflows) {
  // Each wrapped to a small byte count past 2^64 and was accepted with no
  // data.
  EXPECT_EQ(headerError("{'descr': '<f4', 'fortran_order': False, "
                        "'shape': (576460752303423488, 1, 2, 4), }"),
            "shape (576460752303423488, 1, 2, 4) of f32 is too large: its "
            "size in bytes does not fit in 63 bits");
  EXPECT_EQ(headerError("{'descr': '<f4', 'fortran_order': False, "
                        "'shape': (4294967296, 4294967296, 2, 4), }"),
            "shape (4294967296, 4294967296, 2, 4) of f32 is too large: its "
            "size in bytes does not fit in 63 bits");
  EXPECT_EQ(headerError("{'descr': '<f4', 'fortran_order': False, "
                        "'shape': (4611686018427387904,), }"),
            "shape (4611686018427387904,) of f32 is too large: its size in "
            "bytes does not fit in 63 bits");
  EXPECT_EQ(headerError("{'descr': '<f2', 'fortran_order': False, "
                        "'shape': (0, 4611686018427387904, 4), }"),
            "shape (0, 4611686018427387904, 4) of f16 is too large: its "
            "size in bytes does not fit in 63 bits");
  EXPECT_EQ(headerError("{'descr': '<f4', 'fortran_order': False, "
                        "'shape': (18446744073709551616,), }"),
            "shape (18446744073709551616,) in the header is too large: a "
            "dimension does not fit in 63 bits");
}

TEST(NpyTest, GetByteSize) {
  EXPECT_EQ(npy::getByteSize(npy::DType::F32, {2, 3}), 24);
  EXPECT_EQ(npy::getByteSize(npy::DType::F16, {}), 2);
  EXPECT_EQ(npy::getByteSize(npy::DType::F64, {3, 0}), 0);
  EXPECT_EQ(npy::getByteSize(npy::DType::F32, {int64_t(1) << 61}),
            std::nullopt);
  EXPECT_EQ(npy::getByteSize(npy::DType::F32, {int64_t(1) << 60}), int64_t(1)
                                                                       << 62);
  EXPECT_EQ(npy::getByteSize(npy::DType::F32, {-1}), std::nullopt);
}

TEST(NpyTest, WriteReportsFailures) {
  // Ended in "LLVM ERROR: IO failure on output stream".
  npy::Array array = npy::Array::zeros(npy::DType::F32, {4});
  llvm::Error full = npy::write("/dev/full", array);
  ASSERT_TRUE(bool(full));
  EXPECT_EQ(llvm::toString(std::move(full)),
            "cannot write '/dev/full': No space left on device");
  llvm::Error missing = npy::write("/nonexistent/dir/y.npy", array);
  ASSERT_TRUE(bool(missing));
  EXPECT_EQ(llvm::toString(std::move(missing)),
            "cannot write '/nonexistent/dir/y.npy': No such file or directory");
}

} // namespace
