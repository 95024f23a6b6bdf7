// Checks every program's command line the same way: usage errors give status 2
// and point to --help; --help gives status 0 and a usage text.
#pragma once

#include <string>
#include <vector>

namespace support {

// Runs each argv; each must exit with status 2 and print "Run with --help".
// A failure names the whole argv and shows what the program printed.
void check_usage_errors(const std::vector<std::vector<std::string>>& cases);

// Runs each program with --help: status 0, "Usage:" and every one of `mentions`.
void check_help(const std::vector<std::string>& programs, const std::vector<std::string>& mentions = {});

// "prog --a b" for failure messages (the program's file name only).
std::string describe(const std::vector<std::string>& argv);

}  // namespace support
