// Spec text and conv tokens come from files (a checkpoint's /spec) and options:
// inputs the fuzzers (fuzz/) found to reach undefined behaviour, refused here
// with a message instead.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

#include "zoo/spec.hpp"

using Catch::Matchers::Contains;

namespace {

std::string refusal(const std::string& text) {
  try {
    aeg::zoo::parse_spec(text);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  FAIL("parse_spec accepted: " << text);
  return "";
}

}  // namespace

TEST_CASE("spec integers past int64 or not numbers are refused, not converted", "[zoo][spec][fuzz]") {
  CHECK_THAT(refusal("code = 99999999999999999999\n"), Contains("spec line 1: code must be a whole number"));
  CHECK_THAT(refusal("features = 1e300\n"), Contains("features must be a whole number"));
  CHECK_THAT(refusal("k_sparse = -1e19\n"), Contains("k_sparse must be a whole number"));
  CHECK_THAT(refusal("classes = nan\n"), Contains("classes must be a whole number"));
  CHECK_THAT(refusal("tied = inf\n"), Contains("tied must be a whole number"));
}

TEST_CASE("an image shape whose product passes int64 does not hold the features", "[zoo][spec][fuzz]") {
  CHECK_THAT(refusal("features = 4\nimage_shape = 4294967296,4294967296,4\n"),
             Contains("image_shape 4294967296,4294967296,4 does not hold 4 features"));
}

namespace {

std::string conv_refusal(const std::string& text) {
  try {
    aeg::zoo::parse_conv_layers(text);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  FAIL("parse_conv_layers accepted: " << text);
  return "";
}

}  // namespace

TEST_CASE("conv tokens with numbers past their bounds are refused naming the token", "[zoo][conv][fuzz]") {
  // Found by fuzz_conv_layers and fuzz_model_options: std::stoll threw std::out_of_range.
  CHECK_THAT(conv_refusal("convt8,conv111111111111111111111111111116-k3-s1-p1"),
             Contains("conv layer 'conv111111111111111111111111111116-k3-s1-p1': at most 65536 channels"));
  CHECK_THAT(conv_refusal("conv16-k3000000000000000000000-s2-p1-relu"), Contains("the kernel must be at most 4096"));
  CHECK_THAT(conv_refusal("conv16-k3x99999999999"), Contains("the kernel must be at most 4096"));
  CHECK_THAT(conv_refusal("maxpool100000"), Contains("the window must be at most 4096"));
  CHECK_THAT(conv_refusal("up5000"), Contains("the factor must be at most 4096"));
  CHECK_THAT(conv_refusal("convt8-k3-s2-p1-op1x99999999999"), Contains("strides and paddings must be at most 65536"));
  CHECK_THAT(conv_refusal("conv8-p70000"), Contains("strides and paddings must be at most 65536"));
  CHECK_THAT(conv_refusal("convt16-k3x0-relu"), Contains("the kernel must be at least 1"));
  CHECK(aeg::zoo::parse_conv_layers("conv65536-k4096-s65536-p65536").at(0).channels == 65536);
}
