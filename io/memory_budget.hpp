// How much memory the batch reader may hold a training split in: a share of
// what the machine has available, or a size the user gives ("512M", "2G").
#pragma once
#include <cstdint>
#include <string>

namespace aeg::io {

// Half of MemAvailable (/proc/meminfo); 1 GiB where that cannot be read.
std::int64_t default_data_memory();

// "123", "64K", "512M", "2G", "1.5G" (powers of 1024) to bytes; throws
// std::invalid_argument naming `what` on anything else or on a size below 1 MiB.
std::int64_t parse_memory_size(const std::string& text, const std::string& what);

// 1.5 GiB, 640 MiB, 12 KiB: for messages.
std::string format_bytes(std::int64_t bytes);

}  // namespace aeg::io
