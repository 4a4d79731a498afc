"""The client the mongo adapter opens: settings a replica set needs, unless the URL says otherwise."""

from adapters.storage.mongo.connection import connect

ELECTION_SECONDS = 12


async def test_the_client_waits_out_an_election_and_bounds_every_operation():
    client = connect("mongodb://db1:27017,db2:27017/gateway?replicaSet=rs")
    try:
        assert client.options.write_concern.document == {"w": "majority"}
        assert client.read_preference.mongos_mode == "primary"
        assert client.options.retry_writes and client.options.retry_reads
        assert client.options.server_selection_timeout > ELECTION_SECONDS
        assert client.options.timeout is not None and client.options.timeout > ELECTION_SECONDS
        assert client.options.pool_options.max_pool_size >= 200, "the notifier enqueues 500 jobs at once"
    finally:
        await client.close()


async def test_an_option_in_the_url_wins():
    client = connect("mongodb://db1:27017/gateway?w=1&maxPoolSize=5&timeoutMS=2000")
    try:
        assert client.options.write_concern.document == {"w": 1}
        assert client.options.pool_options.max_pool_size == 5 and client.options.timeout == 2.0
    finally:
        await client.close()
