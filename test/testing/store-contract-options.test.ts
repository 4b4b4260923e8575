/** `describeStoreContract` refuses options it cannot run with, before declaring any test. */
import { describe, expect, it } from 'vitest';
import { ConfigError, MemoryStore } from 'cacheorm';
import { describeStoreContract, type StoreContractOptions } from 'cacheorm/testing';

function refusal(options: StoreContractOptions<MemoryStore>): ConfigError {
  try {
    describeStoreContract(options);
  } catch (err) {
    return err as ConfigError;
  }
  throw new Error('describeStoreContract accepted the options');
}

describe('describeStoreContract options', () => {
  const createStore = () => new MemoryStore();
  const indexScore = (store: MemoryStore, index: string, key: string) => store.indexScore(index, key);

  it('needs indexScore unless supportsIndex is false', () => {
    const error = refusal({ name: 'x', createStore });
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.code).toBe('E_CONFIG');
    expect(error.message).toMatch(/indexScore\(store, index, key\)` is needed.*supportsIndex: false/);
  });

  it('needs a name, a createStore function and a prefix without glob metacharacters', () => {
    expect(refusal({ name: '', createStore, indexScore }).message).toMatch(/`name` must be a non-empty string/);
    expect(refusal({ name: 'x', createStore: 'no' as never, indexScore }).message).toMatch(/`createStore` must be a function/);
    const error = refusal({ name: 'x', createStore, indexScore, prefix: 'a*b' });
    expect([error.code, error.message]).toEqual(['E_CONFIG', expect.stringMatching(/`prefix` must be a non-empty string without glob metacharacters .* got "a\*b"/)]);
  });
});

// A store without index sets runs the rest of the contract.
describeStoreContract({ name: 'MemoryStore without the index part', createStore: () => new MemoryStore(), supportsIndex: false });
