// Example 2, the "big data" calculation: a workflow (pipeline) with PUSH/PULL.
// A ventilator fans tasks out to workers, a sink collects their results.
// Each role is a function of (context, options, stop token); the programs
// workflow-ventilator, workflow-worker, workflow-sink and workflow-demo are
// thin mains over them.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <stop_token>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "common/program.hpp"
#include "portfolio.hpp"

namespace workflow {

// workflow-ventilator: PUSH tasks, PULL feedback, PUB control; binds all three.
struct ventilator_options {
    common::role_options role;
    std::vector<std::string> tasks;     // PUSH: workers connect
    std::vector<std::string> feedback;  // PULL: the sink connects (DONE, HELLO)
    std::vector<std::string> control;   // PUB: END, to workers and sink
    std::uint32_t batch = 200;          // tasks in the batch
    std::uint32_t paths = 1'000'000;    // Monte Carlo paths per task: the work per task
    std::uint64_t seed = 1;             // which book of positions
    unsigned workers = 1;               // start when this many have said HELLO...
    double join_wait = 5;               // ...or after this many seconds, with whoever is there
    double retry_after = 2;             // seconds before a task with no result is sent again
};
void add_options(common::program& prog, ventilator_options& opts);
void run_ventilator(zmq::context_t& ctx, const ventilator_options& opts, std::stop_token stop);

// workflow-worker: PULL tasks, PUSH results, SUB control; connects all three.
struct worker_options {
    common::role_options role;
    std::vector<std::string> tasks;    // the ventilator's PUSH
    std::vector<std::string> results;  // the sink's PULL
    std::vector<std::string> control;  // the ventilator's PUB
    std::uint64_t count = 0;           // leave after this many tasks (0: when told to)
    std::function<void(const task&)> on_task;  // after each result is sent (tests)
    bool stay = false;                 // after END, wait for the next batch (the desk's workers)
};
void add_options(common::program& prog, worker_options& opts);
void run_worker(zmq::context_t& ctx, const worker_options& opts, std::stop_token stop);

// What the sink found: the batch's total, exact.
struct batch_report {
    std::uint64_t batch = 0;
    std::uint32_t tasks = 0;
    std::int64_t value = 0;      // micro-units, Monte Carlo
    std::int64_t analytic = 0;   // micro-units, Black-Scholes
    std::uint64_t variance = 0;  // 1e-6 units squared
    std::uint64_t duplicates = 0;
    double seconds = 0;          // from the first result to the last
    std::map<std::string, std::uint64_t> by_worker;
};

// workflow-sink: PULL results (binds), PUSH feedback and SUB control (connect).
struct sink_options {
    common::role_options role;
    std::vector<std::string> results;   // PULL: workers connect
    std::vector<std::string> feedback;  // the ventilator's PULL
    std::vector<std::string> control;   // the ventilator's PUB
    std::function<void(const batch_report&)> on_done;  // for tests and the benchmark
    std::function<void(std::uint32_t done, std::uint32_t tasks)> on_progress{};  // as results come (the desk)
};
void add_options(common::program& prog, sink_options& opts);
void run_sink(zmq::context_t& ctx, const sink_options& opts, std::stop_token stop);

}  // namespace workflow
