// A program under test, started as a child process: its stdout and stderr
// come back merged, line by line. Tests synchronise on what it prints
// (readiness lines), never on sleeps; every wait is bounded.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace support {

using namespace std::chrono_literals;

// Tag: start the program with a pipe as its stdin.
struct piped_stdin_t {};
inline constexpr piped_stdin_t piped_stdin{};

class process {
public:
    // own_group: the child leads a process group of its own, like a job a
    // shell starts; signal_group() then reaches it and all its children, as
    // Ctrl-C on a terminal does. stdin is /dev/null.
    explicit process(std::vector<std::string> argv, bool own_group = false)
        : process(std::move(argv), own_group, false) {}
    // With support::piped_stdin: stdin is a pipe fed by write_line.
    process(std::vector<std::string> argv, piped_stdin_t) : process(std::move(argv), false, true) {}
    ~process();  // SIGKILL if still running
    process(const process&) = delete;
    process& operator=(const process&) = delete;

    // The first line (from the start) that contains text; nullopt on timeout or exit.
    std::optional<std::string> wait_for(std::string_view text, std::chrono::milliseconds timeout = 15s);
    void signal(int sig);
    void signal_group(int sig);
    // With piped_stdin: one line (newline added) to its stdin; then end of input.
    void write_line(std::string_view line);
    void close_stdin();
    // Exit status (128 + N for signal N); nullopt if still running after timeout.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout = 15s);

    // Every line so far, and those containing text.
    const std::vector<std::string>& lines() const { return lines_; }
    std::vector<std::string> lines_with(std::string_view text) const;
    std::string output() const;  // for failure messages
    pid_t pid() const { return pid_; }

private:
    process(std::vector<std::string> argv, bool own_group, bool with_stdin_pipe);
    bool read_some(std::chrono::milliseconds timeout);  // false at EOF or timeout

    pid_t pid_ = -1;
    int fd_ = -1;
    int stdin_fd_ = -1;
    std::string partial_;
    std::vector<std::string> lines_;
    std::size_t searched_ = 0;
    std::optional<int> status_;
};

// The endpoint a program printed, e.g. "publishing on tcp://127.0.0.1:41234 (seed 7)".
std::string endpoint_in(const std::string& line);
// The word that follows `label` in a line, e.g. word_after(line, "portfolio value ").
std::string word_after(const std::string& line, std::string_view label);

// Runs a program to completion (bounded); returns its status and output.
struct run_result {
    int status = -1;
    std::string output;
};
run_result run(std::vector<std::string> argv, std::chrono::milliseconds timeout = 15s);

}  // namespace support
