#include "progress.hpp"

#include <cstdio>
#include <string>
#include <unistd.h>

namespace workflow {

using namespace std::chrono_literals;

constexpr int bar_width = 30;
constexpr auto bar_interval = 100ms;
constexpr auto line_interval = 1s;

progress::progress(const common::console& out) : out_(out), bar_(::isatty(STDOUT_FILENO) == 1) {}

void progress::update(std::uint32_t done, std::uint32_t total, double elapsed_s)
{
    const auto now = std::chrono::steady_clock::now();
    if (last_ == std::chrono::steady_clock::time_point{}) last_ = now;  // the first report comes one interval in
    if (out_.quiet() || now - last_ < (bar_ ? bar_interval : line_interval)) return;
    last_ = now;
    draw(done, total, elapsed_s);
}

void progress::finish(std::uint32_t done, std::uint32_t total, double elapsed_s)
{
    if (out_.quiet() || !bar_) return;
    draw(done, total, elapsed_s);
    [[maybe_unused]] auto n = ::write(STDOUT_FILENO, "\n", 1);
}

void progress::draw(std::uint32_t done, std::uint32_t total, double elapsed_s)
{
    const double rate = elapsed_s > 0 ? done / elapsed_s : 0;
    char figures[96];
    if (rate > 0)
        std::snprintf(figures, sizeof figures, "%u/%u tasks %3.0f%%  %.1f tasks/s  ETA %.1f s", done, total,
                      100.0 * done / total, rate, (total - done) / rate);
    else
        std::snprintf(figures, sizeof figures, "%u/%u tasks %3.0f%%", done, total, 100.0 * done / total);
    if (!bar_) return out_.info(figures);

    // On a terminal: back to the start of the line, draw, clear what is left of it.
    const int filled = static_cast<int>(static_cast<std::uint64_t>(bar_width) * done / total);
    std::string line = "\r[" + out_.role() + "] ";
    for (int i = 0; i < bar_width; ++i) line += i < filled ? "\u2588" : "\u2591";
    line += std::string(" ") + figures + "\033[K";
    [[maybe_unused]] auto n = ::write(STDOUT_FILENO, line.data(), line.size());
}

}  // namespace workflow
