#include "train/mpi/mpi_ranks.hpp"

#include <mpi.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace aeg::train {

namespace {

void check(int rc, const char* call) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, text, &len);
  throw std::runtime_error(std::string(call) + " failed: " + std::string(text, static_cast<std::size_t>(len)));
}

std::vector<int> displacements(const std::vector<int>& counts) {
  std::vector<int> d(counts.size(), 0);
  for (std::size_t i = 1; i < counts.size(); ++i) d[i] = d[i - 1] + counts[i - 1];
  return d;
}

// The message the SIGTERM handler writes: a fixed buffer, as a handler may only
// call async-signal-safe functions (write, _exit).
char stopped_message[1024] = "";

extern "C" void on_sigterm(int) {
  if (stopped_message[0]) {
    const ssize_t ignored = ::write(2, stopped_message, std::strlen(stopped_message));
    (void)ignored;
  }
  ::_exit(143);
}

}  // namespace

bool started_by_mpirun() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMIX_RANK") || std::getenv("PMI_RANK");
}

int ranks_on_this_machine() {
  const char* n = std::getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
  const int k = n ? std::atoi(n) : 1;
  return k > 0 ? k : 1;
}

MpiRanks::MpiRanks(int* argc, char*** argv) {
  check(MPI_Init(argc, argv), "MPI_Init");
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  check(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
}

MpiRanks::~MpiRanks() { MPI_Finalize(); }

void MpiRanks::all_gather(std::span<const float> mine, std::span<float> all, const std::vector<int>& counts) {
  const std::vector<int> at = displacements(counts);
  check(MPI_Allgatherv(mine.data(), static_cast<int>(mine.size()), MPI_FLOAT, all.data(), counts.data(), at.data(),
                       MPI_FLOAT, MPI_COMM_WORLD),
        "MPI_Allgatherv (gradient slices)");
}

void MpiRanks::all_gather(std::span<const double> mine, std::span<double> all, const std::vector<int>& counts) {
  const std::vector<int> at = displacements(counts);
  check(MPI_Allgatherv(mine.data(), static_cast<int>(mine.size()), MPI_DOUBLE, all.data(), counts.data(), at.data(),
                       MPI_DOUBLE, MPI_COMM_WORLD),
        "MPI_Allgatherv (losses)");
}

void MpiRanks::all_to_all(std::span<const float> send, const std::vector<int>& send_counts, std::span<float> recv,
                          const std::vector<int>& recv_counts) {
  const std::vector<int> send_at = displacements(send_counts), recv_at = displacements(recv_counts);
  check(MPI_Alltoallv(send.data(), send_counts.data(), send_at.data(), MPI_FLOAT, recv.data(), recv_counts.data(),
                      recv_at.data(), MPI_FLOAT, MPI_COMM_WORLD),
        "MPI_Alltoallv (gradients)");
}

void MpiRanks::barrier() { check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier"); }

void MpiRanks::abort(const std::string& why) {
  std::fprintf(stderr, "%s\n", why.c_str());
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, 1);
  std::_Exit(1);
}

void MpiRanks::on_stopped(const std::string& message) {
  std::snprintf(stopped_message, sizeof stopped_message, "%s\n", message.c_str());
  std::signal(SIGTERM, on_sigterm);
}

}  // namespace aeg::train
