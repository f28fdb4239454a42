// The conv-layer tokens of --conv-encoder / --conv-decoder and of a checkpoint's
// spec (zoo/conv_layers.hpp), and the conv recipes worked out for an image shape
// (zoo/conv_recipes.hpp). The first three bytes give an image C x H x W, the rest
// is the token text. Anything may be refused with std::invalid_argument; accepted
// tokens must print back the same, and their shapes follow the engine's rules.
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "zoo/conv_layers.hpp"
#include "zoo/spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const std::vector<std::int64_t> image = {1 + data[0] % 4, 1 + data[1], 1 + data[2]};
  const std::string text(reinterpret_cast<const char*>(data + 3), size - 3);

  // Every conv recipe on this image: refused with a message, or a spec that validates.
  for (const char* name : {"conv", "conv-strided", "conv-pool", "conv-denoise", "conv-vae"}) {
    try {
      aeg::zoo::validate(aeg::zoo::recipe(name, image[0] * image[1] * image[2], image));
    } catch (const std::invalid_argument&) {
    }
  }

  std::vector<aeg::zoo::ConvLayer> layers;
  try {
    layers = aeg::zoo::parse_conv_layers(text);
  } catch (const std::invalid_argument&) {
    return 0;
  }
  const std::string once = aeg::zoo::to_text(layers);
  if (aeg::zoo::to_text(aeg::zoo::parse_conv_layers(once)) != once) std::abort();
  try {
    const auto shapes = aeg::zoo::conv_shapes(image, layers);
    if (shapes.size() != layers.size()) std::abort();
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
