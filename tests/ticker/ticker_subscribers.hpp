// What ticker-sub processes printed: shared by the ticker's process tests and
// the hosts tests.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "catch.hpp"
#include "process.hpp"

namespace ticker_test {

// The symbols of the tick lines ticker-sub printed ("[name] AAPL  189.25 ...").
inline std::vector<std::string> tick_symbols(const support::process& p)
{
    std::vector<std::string> symbols;
    for (const auto& line : p.lines()) {
        std::istringstream in(line);
        std::string name, symbol;
        double price = 0;
        if (in >> name >> symbol >> price && price > 0) symbols.push_back(symbol);
    }
    return symbols;
}

// A subscriber to AAPL and one to M, each started with --count 20: both exit
// 0 having seen 20 ticks, each only of its own symbols.
inline void check_apple_and_m(support::process& apple, support::process& m)
{
    using namespace std::chrono_literals;
    for (auto* sub : {&apple, &m}) {
        INFO(sub->output());
        REQUIRE(sub->wait_exit(30s) == 0);
        CHECK(sub->wait_for("20 ticks received", 0ms));
    }
    const auto apples = tick_symbols(apple);
    CHECK(apples.size() == 20);
    for (const auto& s : apples) CHECK(s == "AAPL");
    const auto ms = tick_symbols(m);
    CHECK(ms.size() == 20);
    for (const auto& s : ms) CHECK((s == "MSFT" || s == "META"));
}

}  // namespace ticker_test
