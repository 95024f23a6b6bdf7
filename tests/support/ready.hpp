// Waiting for a program's readiness line, e.g. "publishing on tcp://...", in a
// test: apart from process.hpp, which a benchmark without Catch2 uses too.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "catch.hpp"
#include "process.hpp"

namespace support {

// Waits for the line that contains text; returns the endpoint in it.
inline std::string ready(process& p, std::string_view text, std::chrono::milliseconds timeout = 15s)
{
    const auto line = p.wait_for(text, timeout);
    INFO(p.output());
    REQUIRE(line);
    return endpoint_in(*line);
}

}  // namespace support
