// Waits for a line from a program on a host; fails the test with its output if
// the line never comes. Generous: the hosts tests start many processes at once.
#pragma once

#include "catch.hpp"
#include "process.hpp"

namespace hosts_test {

inline std::string expect_line(support::process& p, std::string_view text,
                               std::chrono::milliseconds timeout = std::chrono::seconds(20))
{
    const auto line = p.wait_for(text, timeout);
    INFO(p.output());
    REQUIRE(line);
    return *line;
}

}  // namespace hosts_test
