#include "terminal.hpp"

#include <unistd.h>
#include <utility>

namespace chat {
namespace {

void write_out(const std::string& text)
{
    std::string_view rest(text);
    while (!rest.empty()) {
        const auto n = ::write(STDOUT_FILENO, rest.data(), rest.size());
        if (n <= 0) return;
        rest.remove_prefix(static_cast<std::size_t>(n));
    }
}

}  // namespace

terminal_input::terminal_input(std::string prompt, std::size_t max_line) : prompt_(std::move(prompt)), max_line_(max_line)
{
    // Raw mode: we see each key and echo it ourselves. ISIG stays on: Ctrl-C is SIGINT.
    if (::isatty(STDIN_FILENO) && ::isatty(STDOUT_FILENO) && ::tcgetattr(STDIN_FILENO, &saved_) == 0) {
        termios raw = saved_;
        raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);
        raw.c_cc[VMIN] = 1;
        raw.c_cc[VTIME] = 0;
        raw_ = ::tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
    }
    show();
}

terminal_input::~terminal_input()
{
    if (!raw_) return;
    hide();
    ::tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
}

void terminal_input::read_available()
{
    char buffer[4096];
    const auto n = ::read(STDIN_FILENO, buffer, sizeof buffer);
    if (n <= 0) {
        eof_ = true;
        if (!raw_ && !line_.empty()) lines_.push_back(std::exchange(line_, {}));
        return;
    }
    for (ssize_t i = 0; i < n; ++i) {
        if (raw_) {
            edit(buffer[i]);
        } else if (buffer[i] == '\n') {
            if (!line_.empty() && line_.back() == '\r') line_.pop_back();
            lines_.push_back(std::exchange(line_, {}));
        } else if (line_.size() < max_line_ + 2) {  // longer lines are cut, and refused by the server
            line_ += buffer[i];
        }
    }
}

void terminal_input::edit(char c)
{
    const auto u = static_cast<unsigned char>(c);
    if (escape_ > 0) {  // ESC [ ... final byte
        escape_ = (escape_ == 1 && c == '[') || (escape_ == 2 && (u < 0x40 || u > 0x7E)) ? 2 : 0;
        return;
    }
    if (u == 0x1B) { escape_ = 1; return; }
    if (c == '\r' || c == '\n') {
        write_out("\r\033[K");
        lines_.push_back(std::exchange(line_, {}));
    } else if (u == 0x7F || u == 0x08) {  // backspace: one UTF-8 character
        while (!line_.empty() && (static_cast<unsigned char>(line_.back()) & 0xC0) == 0x80) line_.pop_back();
        if (!line_.empty()) line_.pop_back();
    } else if (u == 0x15) {  // Ctrl-U
        line_.clear();
    } else if (u == 0x04) {  // Ctrl-D on an empty line: end of input
        if (line_.empty()) eof_ = true;
    } else if (u >= 0x20 && line_.size() < max_line_) {
        line_ += c;
    }
    hide();
    show();
}

std::optional<std::string> terminal_input::next_line()
{
    if (lines_.empty()) return std::nullopt;
    auto line = std::move(lines_.front());
    lines_.pop_front();
    return line;
}

void terminal_input::hide() const
{
    if (raw_) write_out("\r\033[K");
}

void terminal_input::show() const
{
    if (raw_ && !eof_) write_out(prompt_ + line_);
}

}  // namespace chat
