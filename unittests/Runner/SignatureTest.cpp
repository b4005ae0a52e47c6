//===- SignatureTest.cpp - Symbolic signatures of compiled functions -----===//

#include "interact/Runner/Signature.h"
#include "interact/InitAll.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/AsmParser/AsmParserState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/SourceMgr.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace mlir::interact;
using namespace mlir::interact::runner;

namespace {

// Dynamic sizes joined through an interact op, a linalg.generic, a
// tensor.empty sized by tensor.dim, and a causal attention (t = s).
constexpr StringLiteral kModule = R"mlir(
#map = affine_map<(b, t, h, p) -> (b, t, h, p)>
func.func @layer(%x: tensor<?x?x2x4xf32>, %a: tensor<?x?x2xf32>,
                 %B: tensor<?x?x1x8xf32>, %skip: tensor<?x?x2x4xf32>)
    -> (tensor<?x?x2x4xf32>, tensor<?x2x4x8xf32>) {
  %y, %state = interact.scan %x, %a, %B, %B
      : tensor<?x?x2x4xf32>, tensor<?x?x2xf32>, tensor<?x?x1x8xf32>,
        tensor<?x?x1x8xf32> -> tensor<?x?x2x4xf32>, tensor<?x2x4x8xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = tensor.dim %x, %c0 : tensor<?x?x2x4xf32>
  %t = tensor.dim %x, %c1 : tensor<?x?x2x4xf32>
  %e = tensor.empty(%b, %t) : tensor<?x?x2x4xf32>
  %sum = linalg.generic {indexing_maps = [#map, #map, #map],
                         iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y, %skip : tensor<?x?x2x4xf32>, tensor<?x?x2x4xf32>)
      outs(%e : tensor<?x?x2x4xf32>) {
  ^bb0(%u: f32, %v: f32, %o: f32):
    %r = arith.addf %u, %v : f32
    linalg.yield %r : f32
  } -> tensor<?x?x2x4xf32>
  return %sum, %state : tensor<?x?x2x4xf32>, tensor<?x2x4x8xf32>
}
func.func @attention(%q: tensor<1x?x2x8xf16>, %k: tensor<1x?x1x8xf16>,
                     %v: tensor<1x?x1x8xf16>) -> tensor<1x?x2x8xf16> {
  %y = interact.attention softmax causal %q, %k, %v scale 0.5
      : tensor<1x?x2x8xf16>, tensor<1x?x1x8xf16>, tensor<1x?x1x8xf16>
      -> tensor<1x?x2x8xf16>
  return %y : tensor<1x?x2x8xf16>
}
func.func @named(%x: tensor<4xf32> {interact.name = "input"})
    -> (tensor<4xf32> {interact.name = "output"}) {
  return %x : tensor<4xf32>
}
func.func @unknown(%x: tensor<?xf32>) -> tensor<?xf32> {
  %c = arith.constant 3 : index
  %e = tensor.empty(%c) : tensor<?xf32>
  return %e : tensor<?xf32>
}
)mlir";

class SignatureTest : public ::testing::Test {
protected:
  SignatureTest() : context(makeRegistry()) {
    context.loadAllAvailableDialects();
    sourceMgr.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBuffer(kModule),
                                 llvm::SMLoc());
    ParserConfig config(&context);
    EXPECT_TRUE(
        succeeded(parseAsmSourceFile(sourceMgr, &block, config, &names)));
  }

  static DialectRegistry makeRegistry() {
    DialectRegistry registry;
    mlir::registerAllDialects(registry);
    interact::registerAllDialects(registry);
    return registry;
  }

  FunctionSignature signatureOf(StringRef name) {
    for (auto fn : block.getOps<func::FuncOp>())
      if (fn.getSymName() == name)
        return getSignature(fn, &names);
    ADD_FAILURE() << "no function " << name.str();
    return {};
  }

  /// The dimensions of `t` as the JSON writes them: sizes or symbols.
  static std::string shape(const FunctionSignature &fn,
                           const TensorSignature &t) {
    std::string text;
    for (auto [size, symbol] : llvm::zip(t.shape, t.symbols))
      text += (text.empty() ? "" : "x") +
              (symbol < 0 ? std::to_string(size) : fn.symbols[symbol].name);
    return text;
  }

  MLIRContext context;
  llvm::SourceMgr sourceMgr;
  Block block;
  AsmParserState names;
};

TEST_F(SignatureTest, NamesAndSymbolsFollowTheIR) {
  FunctionSignature fn = signatureOf("layer");
  ASSERT_EQ(fn.arguments.size(), 4u);
  ASSERT_EQ(fn.results.size(), 2u);
  EXPECT_EQ(fn.arguments[0].name, "x");
  EXPECT_EQ(fn.arguments[2].name, "B");
  EXPECT_EQ(fn.results[0].name, "sum");
  EXPECT_EQ(fn.results[1].name, "state");
  // The scan names b and t; the generic and the empty sized by tensor.dim
  // carry them to the skip argument and the first result.
  EXPECT_EQ(shape(fn, fn.arguments[0]), "bxtx2x4");
  EXPECT_EQ(shape(fn, fn.arguments[1]), "bxtx2");
  EXPECT_EQ(shape(fn, fn.arguments[3]), "bxtx2x4");
  EXPECT_EQ(shape(fn, fn.results[0]), "bxtx2x4");
  EXPECT_EQ(shape(fn, fn.results[1]), "bx2x4x8");
  ASSERT_EQ(fn.symbols.size(), 2u);
  EXPECT_TRUE(fn.symbols[0].bound && fn.symbols[1].bound);
  EXPECT_EQ(fn.arguments[0].dtype, npy::DType::F32);
}

TEST_F(SignatureTest, CausalAttentionHasOneLength) {
  FunctionSignature fn = signatureOf("attention");
  ASSERT_EQ(fn.symbols.size(), 1u);
  EXPECT_EQ(shape(fn, fn.arguments[0]), "1xtx2x8");
  EXPECT_EQ(shape(fn, fn.arguments[1]), "1xtx1x8");
  EXPECT_EQ(shape(fn, fn.results[0]), "1xtx2x8");
  EXPECT_EQ(fn.arguments[0].dtype, npy::DType::F16);
}

TEST_F(SignatureTest, ResultSizesNoArgumentFixesAreUnbound) {
  FunctionSignature fn = signatureOf("unknown");
  ASSERT_EQ(fn.symbols.size(), 2u);
  EXPECT_TRUE(fn.symbols[0].bound);
  EXPECT_FALSE(fn.symbols[1].bound);
  EXPECT_EQ(fn.results[0].name, "e");
}

TEST_F(SignatureTest, NameAttributesWin) {
  FunctionSignature fn = signatureOf("named");
  EXPECT_EQ(fn.arguments[0].name, "input");
  EXPECT_EQ(fn.results[0].name, "output");
}

TEST_F(SignatureTest, JSONHasEveryField) {
  std::string json = toJSON({signatureOf("attention")}, "lib", "x86-64-v3");
  EXPECT_EQ(json,
            R"({"abi":1,"device":"cpu","functions":[{"arguments":[{"dtype":)"
            R"("f16","name":"q",)"
            R"("shape":[1,"t",2,8]},{"dtype":"f16","name":"k","shape":[1,"t",)"
            R"(1,8]},{"dtype":"f16","name":"v","shape":[1,"t",1,8]}],"name":)"
            R"("attention","results":[{"dtype":"f16","name":"y","shape":[1,)"
            R"("t",2,8]}],"symbols":[{"bound":true,"name":"t","size":null}]}],)"
            R"("library":"lib","target":"x86-64-v3"})");
  // A GPU library's tensors live on the device.
  EXPECT_NE(toJSON({signatureOf("attention")}, "lib", "sm_90", "cuda")
                .find(R"("device":"cuda")"),
            std::string::npos);
}

} // namespace
