// Console output: every line starts with the role's name, so the output of a
// whole topology (threads or processes) can share one terminal and stay readable.
// Colour only on a terminal, never with NO_COLOR set. Thread-safe: each line is
// written whole, in one write(2).
#pragma once

#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

namespace common {

enum class colour { none, red, green, yellow, blue, magenta, cyan, grey };

class console {
public:
    explicit console(std::string role, bool quiet = false);

    // Progress and data lines (stdout); --quiet silences them.
    template <class... Parts> void info(const Parts&... parts) const
    {
        if (!quiet_) emit(level::info, join(parts...));
    }
    // Final figures (stdout): printed even with --quiet.
    template <class... Parts> void summary(const Parts&... parts) const { emit(level::info, join(parts...)); }
    // "W:" and "E:" lines (stderr); never silenced.
    template <class... Parts> void warn(const Parts&... parts) const { emit(level::warn, join(parts...)); }
    template <class... Parts> void error(const Parts&... parts) const { emit(level::error, join(parts...)); }

    // Wraps text in a colour when this console uses colour.
    std::string paint(std::string_view text, colour c) const;
    bool uses_colour() const { return colour_; }
    bool quiet() const { return quiet_; }
    const std::string& role() const { return role_; }

private:
    enum class level { info, warn, error };
    template <class... Parts> static std::string join(const Parts&... parts)
    {
        std::ostringstream out;
        out.precision(6);
        (out << ... << parts);
        return std::move(out).str();
    }
    void emit(level l, std::string_view text) const;

    std::string role_;
    std::string prefix_;
    bool quiet_;
    bool colour_;
};

// True when fd is a terminal and NO_COLOR is not set.
bool colour_wanted(int fd);

// "1 tick", "2 ticks": a count and its noun, for output read from the back of the room.
inline std::string count_of(std::uint64_t n, std::string_view one, std::string_view many)
{
    return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

}  // namespace common
