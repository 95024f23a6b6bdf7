#include "market.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

namespace ticker {
namespace {

constexpr double volatility = 0.0015;  // per tick, about 0.15%

double opening_price(const std::string& symbol)
{
    static const std::map<std::string, double> known{
        {"AAPL", 189.50}, {"MSFT", 415.25}, {"GOOG", 171.80}, {"AMZN", 185.10},
        {"NVDA", 121.40}, {"META", 498.70}, {"TSLA", 251.30}, {"IBM", 189.90}};
    if (auto it = known.find(symbol); it != known.end()) return it->second;
    return 20.0 + static_cast<double>(std::hash<std::string>{}(symbol) % 48000) / 100.0;
}

double cents(double price) { return std::max(0.01, std::round(price * 100.0) / 100.0); }

}  // namespace

std::vector<std::string> default_symbols()
{
    return {"AAPL", "MSFT", "GOOG", "AMZN", "NVDA", "META", "TSLA", "IBM"};
}

market::market(std::vector<std::string> symbols, std::uint64_t seed) : rng_(seed)
{
    for (auto& s : symbols) {
        tick t;
        t.price = t.open = opening_price(s);
        t.symbol = std::move(s);
        ticks_.push_back(std::move(t));
    }
}

const tick& market::next()
{
    auto& t = ticks_[rng_() % ticks_.size()];
    t.price = cents(t.price * std::exp(volatility * step_(rng_)));
    const double half_spread = 0.01 * static_cast<double>(1 + rng_() % 3);
    t.bid = cents(t.price - half_spread);
    t.ask = cents(t.price + half_spread);
    t.volume = 100 * (1 + rng_() % 50);
    ++t.seq;
    return t;
}

}  // namespace ticker
