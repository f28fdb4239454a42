// The convolutional recipes of the zoo ("conv", "conv-vae", "conv-strided",
// "conv-pool", "conv-denoise") worked out for an image shape C x H x W: the
// decoder ends in C channels, and its output padding (strided recipes) or its
// trimming convs (pooling recipes) bring it back to exactly H x W. On 1 x 28 x 28
// the layers are those of bench-models.md, unchanged.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace aeg::zoo {

struct ModelSpec;

// True for a recipe of zoo/recipes.cpp's table marked convolutional.
bool is_conv_recipe(const std::string& name);

// Sets s.conv_encoder, s.conv_decoder, s.conv_code and s.code (and the recipe's
// other fields) for recipe `name` on `image` (C, H, W). Throws std::invalid_argument
// naming the recipe and the size when the image is too small for its down-sampling.
void fit_conv_recipe(ModelSpec& s, const std::string& name, const std::vector<std::int64_t>& image);

}  // namespace aeg::zoo
