package dev.tidemark.backup.store;

class MemoryObjectStoreTest extends ObjectStoreContract {
  @Override
  ObjectStore store() {
    return new MemoryObjectStore();
  }
}
