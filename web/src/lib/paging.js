// Cursor paging for {items, next_cursor} lists.
//   const list = useCursorList((cursor) => api.get('/users', { ...filters, cursor, limit: 50 }));
//   list.reload(); list.loadMore();  list.items / list.nextCursor / list.loading / list.error
import { reactive } from 'vue';

export function useCursorList(fetchPage) {
  let seq = 0;
  const state = reactive({
    items: [],
    nextCursor: null,
    loading: false,
    loadingMore: false,
    loaded: false,
    error: null,
    async reload() {
      const my = ++seq;
      state.loading = true;
      state.error = null;
      try {
        const r = await fetchPage(undefined);
        if (my !== seq) return;
        state.items = (r && r.items) || [];
        state.nextCursor = (r && r.next_cursor) || null;
      } catch (e) {
        if (my !== seq) return;
        state.items = [];
        state.nextCursor = null;
        state.error = e;
      } finally {
        if (my === seq) {
          state.loading = false;
          state.loaded = true;
        }
      }
    },
    async loadMore() {
      if (!state.nextCursor || state.loadingMore) return;
      const my = seq;
      state.loadingMore = true;
      try {
        const r = await fetchPage(state.nextCursor);
        if (my !== seq) return;
        state.items = state.items.concat((r && r.items) || []);
        state.nextCursor = (r && r.next_cursor) || null;
      } catch (e) {
        if (my === seq) state.error = e;
      } finally {
        state.loadingMore = false;
      }
    },
  });
  return state;
}
