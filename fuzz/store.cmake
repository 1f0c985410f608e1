# The store's decoders of untrusted input: pagination cursors from API clients.
ca_fuzzer(fuzz_store_cursor store_cursor_fuzzer.cpp store_cursor)
target_link_libraries(fuzz_store_cursor PRIVATE ca_store)
