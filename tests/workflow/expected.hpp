// The known total of a batch, for the workflow's tests: every task valued one
// after the other, as one worker would (seed 1, the ventilator's default).
#pragma once

#include <cstdint>
#include <string>

#include "portfolio.hpp"

namespace workflow_test {

inline std::int64_t expected_micros(std::uint32_t batch, std::uint32_t paths)
{
    std::int64_t total = 0;
    for (std::uint32_t id = 0; id < batch; ++id) total += workflow::value(workflow::make_task(1, id, batch, paths)).value;
    return total;
}

// The same as the programs print it.
inline std::string expected_value(std::uint32_t batch, std::uint32_t paths)
{
    return workflow::format_micros(expected_micros(batch, paths));
}

}  // namespace workflow_test
