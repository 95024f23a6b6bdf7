#include "portfolio.hpp"

#include <array>
#include <cmath>
#include <numbers>

namespace workflow {
namespace {

constexpr double interest_rate = 0.04;
constexpr std::array expiries{1.0 / 12, 0.25, 0.5, 1.0, 2.0};  // years

// The underlyings: spot price and volatility.
struct stock {
    double spot;
    double volatility;
};
constexpr std::array<stock, 8> stocks{{
    {189.50, 0.24}, {415.25, 0.22}, {171.80, 0.27}, {185.10, 0.30},  // AAPL MSFT GOOG AMZN
    {121.40, 0.48}, {498.70, 0.35}, {251.30, 0.55}, {189.90, 0.20},  // NVDA META TSLA IBM
}};

// SplitMix64: tiny, fast, well-mixed, and easy to write in any language.
struct splitmix64 {
    std::uint64_t state;
    std::uint64_t next()
    {
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
};

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

double payoff(option_kind kind, double price, double strike)
{
    return kind == option_kind::call ? std::max(price - strike, 0.0) : std::max(strike - price, 0.0);
}

// Black-Scholes price of one option.
double closed_form(const task& t)
{
    const double vol_t = t.volatility * std::sqrt(t.expiry);
    const double d1 = (std::log(t.spot / t.strike) + (t.rate + 0.5 * t.volatility * t.volatility) * t.expiry) / vol_t;
    const double d2 = d1 - vol_t;
    const double discounted_strike = t.strike * std::exp(-t.rate * t.expiry);
    if (t.kind == option_kind::call) return t.spot * normal_cdf(d1) - discounted_strike * normal_cdf(d2);
    return discounted_strike * normal_cdf(-d2) - t.spot * normal_cdf(-d1);
}

std::int64_t to_micros(double value) { return std::llround(value * 1e6); }

}  // namespace

task make_task(std::uint64_t seed, std::uint32_t id, std::uint32_t count, std::uint32_t paths)
{
    splitmix64 rng{seed ^ (0xD1B54A32D192ED03ULL * (id + 1ULL))};
    const auto& s = stocks[rng.next() % stocks.size()];
    task t;
    t.id = id;
    t.count = count;
    t.paths = paths;
    t.kind = rng.next() % 2 == 0 ? option_kind::call : option_kind::put;
    t.spot = s.spot;
    t.volatility = s.volatility;
    t.rate = interest_rate;
    t.strike = std::round(s.spot * (0.8 + 0.4 * rng.uniform()));  // 80% to 120% of spot
    t.expiry = expiries[rng.next() % expiries.size()];
    t.quantity = static_cast<std::int32_t>(100 * (1 + rng.next() % 50)) * (rng.next() % 4 == 0 ? -1 : 1);
    t.seed = rng.next();
    return t;
}

valuation value(const task& t)
{
    // Geometric Brownian motion to expiry in one step: S_T = S0 * exp(drift + vol_t * z).
    // Antithetic pairs (z and -z) halve the variance for the same work.
    const double vol_t = t.volatility * std::sqrt(t.expiry);
    const double forward = t.spot * std::exp((t.rate - 0.5 * t.volatility * t.volatility) * t.expiry);
    const std::uint32_t pairs = std::max(t.paths / 2, 1U);
    splitmix64 rng{t.seed};
    double sum = 0, sum_sq = 0;
    auto add_pair = [&](double z) {
        const double growth = std::exp(vol_t * z);
        const double x = 0.5 * (payoff(t.kind, forward * growth, t.strike) + payoff(t.kind, forward / growth, t.strike));
        sum += x;
        sum_sq += x * x;
    };
    for (std::uint32_t i = 0; i < pairs; i += 2) {
        // Box-Muller: two independent normals from two uniforms.
        const double radius = std::sqrt(-2.0 * std::log(1.0 - rng.uniform()));
        const double angle = 2.0 * std::numbers::pi * rng.uniform();
        add_pair(radius * std::cos(angle));
        if (i + 1 < pairs) add_pair(radius * std::sin(angle));
    }
    const double n = pairs;
    const double discount = std::exp(-t.rate * t.expiry);
    const double mean = sum / n;
    const double pair_variance = n > 1 ? std::max(sum_sq / n - mean * mean, 0.0) * n / (n - 1) : 0.0;
    const double q = t.quantity;

    valuation v;
    v.value = to_micros(discount * mean * q);
    v.analytic = to_micros(closed_form(t) * q);
    v.variance = static_cast<std::uint64_t>(std::llround(discount * discount * pair_variance / n * q * q * 1e6));
    return v;
}

std::string check(const task& t)
{
    auto within = [](double x, double lo, double hi) { return std::isfinite(x) && x >= lo && x <= hi; };
    if (t.count == 0 || t.count > max_tasks) return "task count " + std::to_string(t.count) + " is not between 1 and 1000000";
    if (t.id >= t.count) return "task id " + std::to_string(t.id) + " is not below the task count " + std::to_string(t.count);
    if (t.paths == 0 || t.paths > max_paths) return "paths " + std::to_string(t.paths) + " is not between 1 and " + std::to_string(max_paths);
    if (t.quantity == 0 || t.quantity < -1'000'000 || t.quantity > 1'000'000) return "quantity is 0 or beyond a million";
    if (t.kind != option_kind::call && t.kind != option_kind::put) return "option kind is neither 0 (call) nor 1 (put)";
    if (!within(t.spot, 0.01, 1e6) || !within(t.strike, 0.01, 1e6)) return "spot or strike is not between 0.01 and 1000000";
    if (!within(t.volatility, 0.001, 5)) return "volatility is not between 0.001 and 5";
    if (!within(t.rate, -0.5, 0.5)) return "rate is not between -0.5 and 0.5";
    if (!within(t.expiry, 0.001, 50)) return "expiry is not between 0.001 and 50 years";
    return "";
}

std::string format_micros(std::int64_t micros)
{
    const bool negative = micros < 0;
    const auto magnitude = negative ? 0 - static_cast<std::uint64_t>(micros) : static_cast<std::uint64_t>(micros);
    auto fraction = std::to_string(magnitude % 1'000'000);
    fraction.insert(0, 6 - fraction.size(), '0');
    return (negative ? "-" : "") + std::to_string(magnitude / 1'000'000) + "." + fraction;
}

}  // namespace workflow
