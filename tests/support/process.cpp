#include "process.hpp"

#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>

extern char** environ;

namespace support {

using clock = std::chrono::steady_clock;

process::process(std::vector<std::string> argv, bool own_group, bool with_stdin_pipe)
{
    int fds[2], in[2] = {-1, -1};
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    if (with_stdin_pipe && ::pipe2(in, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
    if (with_stdin_pipe) posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
    else posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);

    // Signals unblocked and default in the child, whatever this process has.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    if (own_group) {
        posix_spawnattr_setpgroup(&attr, 0);
        flags |= POSIX_SPAWN_SETPGROUP;
    }
    posix_spawnattr_setflags(&attr, flags);

    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    const int rc = posix_spawn(&pid_, args[0], &actions, &attr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(fds[1]);
    fd_ = fds[0];
    if (with_stdin_pipe) {
        ::close(in[0]);
        stdin_fd_ = in[1];
    }
    if (rc != 0) {
        close_stdin();
        ::close(fd_);
        throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
    }
}

process::~process()
{
    if (!status_) {
        ::kill(pid_, SIGKILL);
        int ignored;
        ::waitpid(pid_, &ignored, 0);
    }
    ::close(fd_);
    close_stdin();
}

void process::write_line(std::string_view line)
{
    if (stdin_fd_ < 0) throw std::logic_error("write_line needs a process started with support::piped_stdin");
    static const bool no_sigpipe = (std::signal(SIGPIPE, SIG_IGN), true);  // a child gone: an error, not death
    (void)no_sigpipe;
    std::string text(line);
    text += '\n';
    for (std::string_view rest(text); !rest.empty();) {
        const auto n = ::write(stdin_fd_, rest.data(), rest.size());
        if (n <= 0) throw std::runtime_error("cannot write to the program's stdin");
        rest.remove_prefix(static_cast<std::size_t>(n));
    }
}

void process::close_stdin()
{
    if (stdin_fd_ >= 0) ::close(stdin_fd_);
    stdin_fd_ = -1;
}

bool process::read_some(std::chrono::milliseconds timeout)
{
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(std::max(timeout, 0ms).count())) <= 0) return false;
    char buffer[4096];
    const auto n = ::read(fd_, buffer, sizeof buffer);
    if (n <= 0) return false;
    partial_.append(buffer, static_cast<std::size_t>(n));
    for (std::size_t nl; (nl = partial_.find('\n')) != std::string::npos;) {
        lines_.push_back(partial_.substr(0, nl));
        partial_.erase(0, nl + 1);
    }
    return true;
}

std::optional<std::string> process::wait_for(std::string_view text, std::chrono::milliseconds timeout)
{
    const auto deadline = clock::now() + timeout;
    for (std::size_t i = 0;; ) {
        for (; i < lines_.size(); ++i)
            if (lines_[i].find(text) != std::string::npos) return lines_[i];
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
        if (left <= 0ms || !read_some(left)) {
            for (; i < lines_.size(); ++i)
                if (lines_[i].find(text) != std::string::npos) return lines_[i];
            return std::nullopt;
        }
    }
}

void process::signal(int sig)
{
    if (!status_) ::kill(pid_, sig);
}

void process::signal_group(int sig)
{
    if (!status_) ::kill(-pid_, sig);
}

std::optional<int> process::wait_exit(std::chrono::milliseconds timeout)
{
    if (status_) return status_;
    const auto deadline = clock::now() + timeout;
    for (;;) {
        int raw = 0;
        if (::waitpid(pid_, &raw, WNOHANG) == pid_) {
            while (read_some(0ms)) {}  // what it printed last
            if (!partial_.empty()) lines_.push_back(std::exchange(partial_, {}));
            status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
            return status_;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
        if (left <= 0ms) return std::nullopt;
        // Drain its output meanwhile (a full pipe would block it); wake at
        // least every 10 ms to look at its status.
        read_some(std::min(left, 10ms));
    }
}

std::vector<std::string> process::lines_with(std::string_view text) const
{
    std::vector<std::string> found;
    for (const auto& l : lines_)
        if (l.find(text) != std::string::npos) found.push_back(l);
    return found;
}

std::string process::output() const
{
    std::string all;
    for (const auto& l : lines_) all += l + "\n";
    return all + partial_;
}

std::string endpoint_in(const std::string& line)
{
    for (const char* scheme : {"tcp://", "ipc://", "inproc://"}) {
        const auto at = line.find(scheme);
        if (at == std::string::npos) continue;
        const auto end = line.find_first_of(" ,)", at);
        return line.substr(at, end == std::string::npos ? std::string::npos : end - at);
    }
    throw std::runtime_error("no endpoint in line: " + line);
}

std::string word_after(const std::string& line, std::string_view label)
{
    const auto at = line.find(label);
    if (at == std::string::npos) throw std::runtime_error("no '" + std::string(label) + "' in line: " + line);
    const auto start = at + label.size();
    return line.substr(start, line.find(' ', start) - start);
}

run_result run(std::vector<std::string> argv, std::chrono::milliseconds timeout)
{
    process p(std::move(argv));
    const auto status = p.wait_exit(timeout);
    return {status.value_or(-1), p.output()};
}

}  // namespace support
