// Input for chat-client. On a terminal: a one-line editor in raw mode, so that
// incoming messages are printed above the line being typed, which is then
// redrawn. Otherwise (a pipe, a file): plain lines, for scripts and tests.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <termios.h>

namespace chat {

class terminal_input {
public:
    terminal_input(std::string prompt, std::size_t max_line);
    ~terminal_input();  // restores the terminal
    terminal_input(const terminal_input&) = delete;
    terminal_input& operator=(const terminal_input&) = delete;

    int fd() const { return 0; }
    bool interactive() const { return raw_; }
    bool at_end() const { return eof_; }
    // Reads what is available (call when the fd is readable); complete lines are queued.
    void read_available();
    std::optional<std::string> next_line();

    // Around every line printed while the user types.
    void hide() const;  // clears the line being typed
    void show() const;  // draws the prompt and the line again

private:
    void edit(char c);

    std::string prompt_;
    std::size_t max_line_;
    bool raw_ = false;
    bool eof_ = false;
    termios saved_{};
    std::string line_;  // being typed (terminal) or not yet complete (pipe)
    int escape_ = 0;    // inside an escape sequence (arrow keys...): ignored
    std::deque<std::string> lines_;
};

}  // namespace chat
