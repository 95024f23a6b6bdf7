// query-server: follows a ticker feed; answers queries (ROUTER) and publishes updates (XPUB).
#include "query.hpp"

int main(int argc, char** argv)
{
    query::server_options opts;
    common::program prog("query-server", "Answers queries about a ticker feed and publishes its updates (Example 4).");
    query::add_options(prog, opts);
    return prog.run(argc, argv, [&](zmq::context_t& ctx, std::stop_token stop) {
        query::run_server(ctx, opts, stop);
    });
}
