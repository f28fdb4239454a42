// Ranks (train/data_parallel.hpp) over MPI_COMM_WORLD, for ae-train started by
// mpirun. Built only where MPI is found (the optional library aegraph_mpi).
#pragma once
#include <string>

#include "train/data_parallel.hpp"

namespace aeg::train {

// Whether this process was started by mpirun (Open MPI's, or a PMI launcher's).
bool started_by_mpirun();
// How many ranks mpirun started on this machine (1 where it does not say).
int ranks_on_this_machine();

class MpiRanks final : public Ranks {
 public:
  // Initialises MPI; every MPI error then throws (naming the call) instead of
  // killing the process unexplained.
  MpiRanks(int* argc, char*** argv);
  ~MpiRanks() override;  // MPI_Finalize
  MpiRanks(const MpiRanks&) = delete;
  MpiRanks& operator=(const MpiRanks&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void all_gather(std::span<const float> mine, std::span<float> all, const std::vector<int>& counts) override;
  void all_gather(std::span<const double> mine, std::span<double> all, const std::vector<int>& counts) override;
  void all_to_all(std::span<const float> send, const std::vector<int>& send_counts, std::span<float> recv,
                  const std::vector<int>& recv_counts) override;
  void barrier() override;

  // Ends every rank now (MPI_Abort), after printing `why` on stderr.
  [[noreturn]] void abort(const std::string& why);
  // What this rank prints if mpirun stops it because another rank died (SIGTERM).
  void on_stopped(const std::string& message);

 private:
  int rank_ = 0, size_ = 1;
};

}  // namespace aeg::train
