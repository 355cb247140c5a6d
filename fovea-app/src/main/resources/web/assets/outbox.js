// The review page's outbox: decisions kept in the browser's IndexedDB until the server has acknowledged them,
// so a closed tab, a reload or a lost connection loses none. Records keep their order (an auto-increment key)
// and name their user and project, so the next login of the same user on this browser sends what is left.
const DB_NAME = 'fovea-outbox';
const STORE = 'decisions';
let db = null;

function open() {
  if (db) return db;
  db = new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'seq', autoIncrement: true });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(new Error(`the browser's storage cannot be opened: ${request.error && request.error.message}`));
  });
  return db;
}

function run(mode, work) {
  return open().then((d) => new Promise((resolve, reject) => {
    const tx = d.transaction(STORE, mode);
    const result = work(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(result.value);
    tx.onerror = () => reject(new Error(`the browser's storage refused the decision: ${tx.error && tx.error.message}`));
    tx.onabort = tx.onerror;
  }));
}

/** Stores a record {user, project, body, original_url}; resolves with its sequence number once it is on disk. */
export function add(record) {
  return run('readwrite', (store) => {
    const out = {};
    const request = store.add(record);
    request.onsuccess = () => { out.value = request.result; };
    return out;
  });
}

/** The user's records, oldest first. */
export function all(user) {
  return run('readonly', (store) => {
    const out = { value: [] };
    const request = store.getAll();
    request.onsuccess = () => { out.value = request.result.filter((r) => r.user === user).sort((a, b) => a.seq - b.seq); };
    return out;
  });
}

export function remove(seq) {
  return run('readwrite', (store) => { store.delete(seq); return {}; });
}
