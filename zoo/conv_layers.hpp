// Convolutional blocks of an autoencoder spec, NCHW as PyTorch's nn.Conv2d,
// nn.ConvTranspose2d, nn.MaxPool2d, nn.AvgPool2d and nn.Upsample(nearest).
// Written as comma-separated tokens, e.g. the strided encoder of `conv-strided`:
//   conv16-k3-s2-p1-relu,conv8-k3-s2-p1-relu
// and its decoder:
//   convt8-k3-s2-p1-op1-relu,convt16-k3-s2-p1-op1-relu,conv1-k3-s1-p1
// Tokens: conv<C>, convt<C> (k kernel, s stride, p padding, op output padding,
// then an activation; defaults k3 s1 p0 relu; k and op take HxW when the sides
// differ, e.g. k3x4, op1x0, which an image with an odd and an even side needs), maxpool<K> and avgpool<K> (s stride,
// default K; "ceil" keeps a last partial window), up<F> (nearest, factor F).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine/ops.hpp"

namespace aeg::zoo {

struct ConvLayer {
  enum class Kind { Conv, ConvTranspose, MaxPool, AvgPool, Upsample };
  Kind kind = Kind::Conv;
  std::int64_t channels = 0;        // conv and convt: output channels
  std::int64_t kernel = 3;          // conv kernel, pooling window, or upsampling factor
  std::int64_t stride = 1;          // pooling: 0 means the window size
  std::int64_t padding = 0;
  std::int64_t output_padding = 0;  // convt only
  std::int64_t kernel_w = 0;        // conv and convt: the kernel's width where it differs from `kernel` (0: square)
  std::int64_t output_padding_w = -1;  // convt: the width's output padding where it differs (-1: the same)
  bool ceil_mode = false;           // pooling only
  Activation activation = Activation::Relu;  // conv and convt; ignored on a decoder's last layer

  bool has_weights() const { return kind == Kind::Conv || kind == Kind::ConvTranspose; }
  std::int64_t kernel_width() const { return kernel_w > 0 ? kernel_w : kernel; }
  std::int64_t output_padding_width() const { return output_padding_w >= 0 ? output_padding_w : output_padding; }
};

std::string to_text(const std::vector<ConvLayer>& layers);
// Throws std::invalid_argument naming the bad token and what was expected.
std::vector<ConvLayer> parse_conv_layers(const std::string& text);

// x (N, C, H, W) -> the layer's output; conv weights are declared in x's graph as
// "<name>/W" and "<name>/b" with PyTorch's default initialisation. The activation
// is applied unless `with_activation` is false (a decoder's last layer gives logits).
Var apply_conv_layer(Var x, const ConvLayer& layer, const std::string& name, bool with_activation = true);

// The (C, H, W) after each layer, starting from `in` (the engine's own shape rules);
// throws std::invalid_argument naming the layer that does not fit.
std::vector<std::vector<std::int64_t>> conv_shapes(const std::vector<std::int64_t>& in,
                                                   const std::vector<ConvLayer>& layers);

}  // namespace aeg::zoo
