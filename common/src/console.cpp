#include "common/console.hpp"

#include <array>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <unistd.h>

namespace common {
namespace {

std::string_view code(colour c)
{
    switch (c) {
    case colour::red: return "\033[31m";
    case colour::green: return "\033[32m";
    case colour::yellow: return "\033[33m";
    case colour::blue: return "\033[34m";
    case colour::magenta: return "\033[35m";
    case colour::cyan: return "\033[36m";
    case colour::grey: return "\033[90m";
    case colour::none: break;
    }
    return "";
}

// A role keeps its colour from run to run: picked from its name.
colour colour_of(std::string_view role)
{
    constexpr std::array palette{colour::cyan, colour::magenta, colour::blue,
                                 colour::green, colour::yellow};
    return palette[std::hash<std::string_view>{}(role) % palette.size()];
}

void write_all(int fd, std::string_view text)
{
    // One process-wide lock: lines from threads never interleave.
    static std::mutex mutex;
    std::scoped_lock lock(mutex);
    while (!text.empty()) {
        const auto n = ::write(fd, text.data(), text.size());
        if (n < 0) return;  // nowhere left to report to
        text.remove_prefix(static_cast<std::size_t>(n));
    }
}

}  // namespace

bool colour_wanted(int fd)
{
    const char* no_colour = std::getenv("NO_COLOR");
    return ::isatty(fd) == 1 && (no_colour == nullptr || *no_colour == '\0');
}

console::console(std::string role, bool quiet)
    : role_(std::move(role)), quiet_(quiet), colour_(colour_wanted(STDOUT_FILENO))
{
    prefix_ = paint("[" + role_ + "]", colour_of(role_)) + " ";
}

std::string console::paint(std::string_view text, colour c) const
{
    if (!colour_ || c == colour::none) return std::string(text);
    std::string out(code(c));
    out += text;
    out += "\033[0m";
    return out;
}

void console::emit(level l, std::string_view text) const
{
    std::string line = prefix_;
    switch (l) {
    case level::info: break;
    case level::warn: line += paint("W: ", colour::yellow); break;
    case level::error: line += paint("E: ", colour::red); break;
    }
    line += text;
    line += '\n';
    write_all(l == level::info ? STDOUT_FILENO : STDERR_FILENO, line);
}

}  // namespace common
