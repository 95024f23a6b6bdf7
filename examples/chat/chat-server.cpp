// chat-server: takes commands on a ROUTER socket, broadcasts on a PUB socket.
#include <sys/resource.h>

#include "chat.hpp"

int main(int argc, char** argv)
{
    // Every client holds two connections: allow as many files as the system lets us.
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        files.rlim_cur = files.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &files);
    }
    chat::server_options opts;
    common::program prog("chat-server", "Chat server: commands on a ROUTER socket, broadcasts on a PUB socket (Example 3).");
    chat::add_options(prog, opts);
    return prog.run(argc, argv, [&](zmq::context_t& ctx, std::stop_token stop) {
        chat::run_server(ctx, opts, stop);
    });
}
