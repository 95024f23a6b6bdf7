// A make-believe market: prices follow a random walk (geometric Brownian
// motion, rounded to cents). The same seed gives the same ticks.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "tick.hpp"

namespace ticker {

std::vector<std::string> default_symbols();

class market {
public:
    market(std::vector<std::string> symbols, std::uint64_t seed);
    // The next tick, for a symbol picked at random; time_ns is left to the caller.
    const tick& next();

private:
    std::vector<tick> ticks_;
    std::mt19937_64 rng_;
    std::normal_distribution<double> step_{0.0, 1.0};
};

}  // namespace ticker
