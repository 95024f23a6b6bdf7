// The job: value a book of equity option positions by Monte Carlo simulation.
// One task is one position. Everything a worker needs is in the task,
// including the seed of its random numbers, so a task gives the same value
// on any worker, in any order. Money travels as whole micro-units (1e-6 of a
// currency unit) in signed 64-bit integers: the batch total is an exact
// integer sum, the same bit for bit whatever the arrival order.
#pragma once

#include <cstdint>
#include <string>

namespace workflow {

enum class option_kind : std::uint32_t { call = 0, put = 1 };

// One option position: |quantity| options on one share each, short when negative.
struct task {
    std::uint64_t batch = 0;  // which run of the ventilator this belongs to
    std::uint32_t id = 0;     // 0 .. count-1
    std::uint32_t count = 0;  // tasks in the batch
    std::uint64_t seed = 0;   // the random numbers of this task's paths
    std::uint32_t paths = 0;  // Monte Carlo paths: the work per task
    std::int32_t quantity = 0;
    option_kind kind = option_kind::call;
    double spot = 0;        // price of the underlying today
    double strike = 0;
    double volatility = 0;  // per year, e.g. 0.25
    double rate = 0;        // risk-free interest rate per year
    double expiry = 0;      // years
};

// A position's value: the Monte Carlo estimate, its variance, and the
// closed-form (Black-Scholes) value to check it against.
struct valuation {
    std::int64_t value = 0;      // micro-units
    std::int64_t analytic = 0;   // micro-units
    std::uint64_t variance = 0;  // of value, in units of 1e-6 (currency unit)^2
};

constexpr std::uint32_t max_tasks = 1'000'000;
constexpr std::uint32_t max_paths = 10'000'000;  // ~0.2 s: a worker stays quick to stop

// Task `id` of the book that `seed` describes: the same arguments always give
// the same position and the same path seed.
task make_task(std::uint64_t seed, std::uint32_t id, std::uint32_t count, std::uint32_t paths);

// The CPU-bound part: what a worker does with a task.
valuation value(const task& t);

// "" when the task is one a worker can value, else why not.
std::string check(const task& t);

// Micro-units as text with exactly six decimals: -1234500 -> "-1.234500".
std::string format_micros(std::int64_t micros);

}  // namespace workflow
