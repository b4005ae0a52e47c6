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

} // namespace
