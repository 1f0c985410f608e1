# The store's decoders of untrusted input: pagination cursors from API clients, and event
# blocks read back from the database file.
ca_fuzzer(fuzz_store_cursor store_cursor_fuzzer.cpp store_cursor)
target_link_libraries(fuzz_store_cursor PRIVATE ca_store)
# Event blocks read back from the database file (internal/event_blocks.h).
ca_fuzzer(fuzz_store_block store_block_fuzzer.cpp store_block)
target_link_libraries(fuzz_store_block PRIVATE ca_store_sqlite ca_store)
