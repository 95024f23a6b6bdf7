// The sink's progress report: a bar redrawn in place on a terminal (tasks
// done, rate, ETA), a plain line every second otherwise; nothing with --quiet.
#pragma once

#include <chrono>
#include <cstdint>

#include "common/console.hpp"

namespace workflow {

class progress {
public:
    explicit progress(const common::console& out);
    // Redraws (at most every 100 ms on a terminal, every second otherwise).
    void update(std::uint32_t done, std::uint32_t total, double elapsed_s);
    // Draws the last state and ends the bar's line.
    void finish(std::uint32_t done, std::uint32_t total, double elapsed_s);

private:
    void draw(std::uint32_t done, std::uint32_t total, double elapsed_s);

    const common::console& out_;
    bool bar_;
    std::chrono::steady_clock::time_point last_{};
};

}  // namespace workflow
