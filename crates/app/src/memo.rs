//! A few seconds' memory of what nearly every request reads again: whose session a cookie
//! is (with the person's grants), which units a scope's roots cover, the indicator
//! catalogue, the plans and what the task list's filters offer, the number of tasks a
//! list query selects and its pages, the unread notifications and explanation requests, the
//! dashboards, and roll-ups with the unit tree they walk. Without it, every page of the task
//! list began with four queries and a walk of the whole unit tree, and every refresh of a
//! wall screen recombined five years of figures.
//!
//! It never serves what a change has made untrue: every committed change of record
//! ([`crate::Write`]), and housekeeping that changes what pages show
//! ([`crate::write::Housekeeping::commit_shown`]), forgets everything at once; an answer read while a change was
//! committing is not kept (the generation it was read under has passed). A change made by
//! another process (the command line beside a running server) is seen within [`TTL`], or
//! twice that for the costly answers served aged while one reader reads them again.
//! Time limits that belong to the record — a session's expiry and idle limit — are checked
//! on every hit against the record's own times, not against the memory's.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use time::OffsetDateTime;

use crate::principal::CurrentUser;

/// How long an answer is kept at most.
pub const TTL: Duration = Duration::from_secs(5);
/// How long a costly answer may still be served, aged, while one reader reads it again
/// (see [`Shelf::get_or_read_alone`]); never past a change committed here.
const AGED_TTL: Duration = Duration::from_secs(10);
/// Entries per shelf before it is emptied: a bound on memory, not a policy (a full shelf
/// starts again; the next requests read the database).
const MAX_ENTRIES: usize = 10_000;
/// The same bound for answers of tens of kilobytes (every indicator of a subtree).
const MAX_LARGE_ENTRIES: usize = 200;
/// And for unit trees (a nation's is a few hundred kilobytes; readers ask for today's and
/// a few periods' ends).
const MAX_TREE_ENTRIES: usize = 16;
/// And for pages of tasks (up to 50 rows of a kilobyte or more each): a few megabytes.
const MAX_PAGE_ENTRIES: usize = 64;

/// A session as last read: its person and the times that decide whether it still holds.
#[derive(Debug, Clone)]
pub struct SeenSession {
    pub user: CurrentUser,
    pub expires_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
}

/// A query as a memory key: the digest of its full description, so that a key takes 32
/// bytes whatever the query holds (a search, hundreds of units of a scope).
pub type QueryKey = [u8; 32];

/// The key of a query described by `description` (its `Debug` form, say).
pub fn query_key(description: &str) -> QueryKey {
    use sha2::{Digest, Sha256};
    Sha256::digest(description.as_bytes()).into()
}

/// Each ended unit's successors standing on a day (see [`dxplan_store::units::continued_in`]).
pub type ContinuedIn = HashMap<i64, Vec<dxplan_store::units::Unit>>;

/// The memory of one process, shared by every clone of the [`crate::App`].
#[derive(Default)]
pub struct Memo {
    generation: AtomicU64,
    pub(crate) sessions: Shelf<String, SeenSession>,
    /// Sorted unit ids of each set of roots' subtrees.
    pub(crate) subtrees: Shelf<Vec<i64>, Arc<[i64]>>,
    /// How many units there are (of any time): a subtree this large is everything.
    pub(crate) unit_count: Shelf<(), usize>,
    /// The units standing on a day, in the tree's order: what every unit picker offers.
    pub(crate) standing: Shelf<time::Date, Arc<[dxplan_store::units::Unit]>>,
    /// The unit tree on a day as roll-ups walk it (lineage and shares included).
    pub(crate) trees: Shelf<time::Date, Arc<dxplan_domain::rollup::Tree>, MAX_TREE_ENTRIES>,
    /// The whole indicator catalogue, in its order.
    pub(crate) catalogue: Shelf<(), Arc<[dxplan_store::indicators::Indicator]>>,
    /// Every plan (the newest first), every pillar and each plan's groups: what the task
    /// list's filters offer on every page.
    pub(crate) plans: Shelf<(), Arc<[dxplan_store::plans::Plan]>>,
    pub(crate) pillars: Shelf<(), Arc<[dxplan_store::plans::Pillar]>>,
    pub(crate) groups: Shelf<i64, Arc<[dxplan_store::plans::TaskGroup]>>,
    /// The units standing on a day that continue each ended unit of a set (a page's lead
    /// units): a ward's list names the communes merged into it on every page.
    pub(crate) continued: Shelf<(Vec<i64>, time::Date), Arc<ContinuedIn>>,
    /// How many tasks each task-list query selects (by the query without its page and
    /// order): a count of a third of a plan of 30,000 tasks is what a page costs most.
    pub(crate) task_counts: Shelf<QueryKey, i64>,
    /// Task-list pages of at most 50 rows, by the whole query (the reader's scope in it).
    pub(crate) task_pages: Shelf<QueryKey, Arc<dxplan_store::tasks::TaskPage>, MAX_PAGE_ENTRIES>,
    /// Dashboards as computed, by what they were computed for: the wall screens and the
    /// steering committee read the same few again and again.
    pub(crate) dashboards: Shelf<
        crate::dashboard::DashboardKey,
        Arc<(
            dxplan_domain::dashboard::Dashboard,
            dxplan_store::tasks::TaskFilter,
        )>,
    >,
    /// What explanation requests wait on readers of each set of grants (and day).
    pub(crate) tallies: Shelf<QueryKey, crate::explanations::ExplanationTally>,
    /// How many notifications each person has unread: the badge on every page.
    pub(crate) unread: UnreadCounts,
    /// Every indicator rolled up over a subtree (unit code, period, tree's date): over a
    /// nation that is a few hundred milliseconds, which eight readers at once should not
    /// each pay.
    pub(crate) rollups: Shelf<
        (String, String, time::Date),
        Arc<[crate::indicators::RollupView]>,
        MAX_LARGE_ENTRIES,
    >,
    /// One indicator over a subtree for a period, as the API asks for it (indicator, unit,
    /// period, tree's date, with children, with figures awaiting review).
    pub(crate) rollup_views:
        Shelf<crate::indicators::RollupKey, Arc<crate::indicators::RollupView>, MAX_LARGE_ENTRIES>,
    /// One indicator over a subtree with its trend and forecast (its page): over a nation
    /// a quarter of a second, which eight readers at once had each paid (8 requests/s).
    pub(crate) overviews: Shelf<
        crate::indicators::OverviewKey,
        Arc<crate::indicators::IndicatorOverview>,
        MAX_LARGE_ENTRIES,
    >,
}

impl Memo {
    /// The generation an answer about to be read belongs to: pass it to [`Shelf::keep`].
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Forgets everything: a change of record was committed.
    pub fn forget_all(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.sessions.clear();
        self.subtrees.clear();
        self.unit_count.clear();
        self.standing.clear();
        self.trees.clear();
        self.catalogue.clear();
        self.plans.clear();
        self.pillars.clear();
        self.groups.clear();
        self.continued.clear();
        self.task_counts.clear();
        self.task_pages.clear();
        self.dashboards.clear();
        self.tallies.clear();
        self.rollups.clear();
        self.rollup_views.clear();
        self.overviews.clear();
        self.unread.forget();
    }

    /// Forgets one session (it ended, or was seen past its limits).
    pub fn forget_session(&self, id_hash: &str) {
        self.sessions.remove(id_hash);
    }
}

/// Unread counts by person. Notifications also change in housekeeping (a reminder sent, a
/// notification read), which must not empty the rest of the memory, so these counts have a
/// generation of their own, moved on by every commit of either kind.
#[derive(Default)]
pub struct UnreadCounts {
    generation: AtomicU64,
    counts: Mutex<HashMap<i64, (i64, Instant, u64)>>,
}

impl UnreadCounts {
    /// The generation a count about to be read belongs to: pass it to [`UnreadCounts::keep`].
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The count kept for `user`, if it is young and nothing has been committed since.
    pub fn get(&self, user: i64) -> Option<i64> {
        let generation = self.generation();
        let counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let (count, kept_at, kept_under) = counts.get(&user)?;
        (*kept_under == generation && kept_at.elapsed() < TTL).then_some(*count)
    }

    /// Keeps `count`, read under `generation`, unless something was committed since.
    pub fn keep(&self, generation: u64, user: i64, count: i64) {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        if self.generation() != generation {
            return;
        }
        if counts.len() >= MAX_ENTRIES {
            counts.clear();
        }
        counts.insert(user, (count, Instant::now(), generation));
    }

    /// Forgets every count: something was committed.
    pub fn forget(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

/// One kind of answer, by key, at most `CAP` of them.
pub struct Shelf<K, V, const CAP: usize = MAX_ENTRIES> {
    entries: Mutex<HashMap<K, Entry<V>>>,
    /// The keys whose costly answer is being read, each with the lock its readers queue on:
    /// see [`Shelf::get_or_read_alone`].
    reading: Mutex<HashMap<K, Arc<tokio::sync::Mutex<()>>>>,
}

/// Takes a key's queue away when its last reader leaves; one arriving later finds the
/// answer kept (or, after an error, reads again).
struct LeaveQueue<'a, K: Eq + Hash, Q> {
    reading: &'a Mutex<HashMap<K, Arc<Q>>>,
    key: &'a K,
    queue: &'a Arc<Q>,
}

impl<K: Eq + Hash, Q> Drop for LeaveQueue<'_, K, Q> {
    fn drop(&mut self) {
        let mut reading = self.reading.lock().unwrap_or_else(PoisonError::into_inner);
        // The map's handle and this reader's: nobody else waits.
        if Arc::strong_count(self.queue) == 2 {
            reading.remove(self.key);
        }
    }
}

struct Entry<V> {
    value: V,
    kept_at: Instant,
    generation: u64,
}

impl<K, V, const CAP: usize> Default for Shelf<K, V, CAP> {
    fn default() -> Self {
        Shelf {
            entries: Mutex::new(HashMap::new()),
            reading: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash, V: Clone, const CAP: usize> Shelf<K, V, CAP> {
    /// The answer kept for `key`, if it is young and no change has passed since.
    pub fn get<Q>(&self, memo: &Memo, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        let generation = memo.generation();
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = entries.get(key)?;
        (entry.generation == generation && entry.kept_at.elapsed() < TTL)
            .then(|| entry.value.clone())
    }

    /// The answer for `key`: remembered, or read by `read` and kept (unless a change was
    /// committed while it was being read).
    pub async fn get_or_read<E, Fut>(
        &self,
        memo: &Memo,
        key: K,
        read: impl FnOnce() -> Fut,
    ) -> Result<V, E>
    where
        Fut: std::future::Future<Output = Result<V, E>>,
    {
        if let Some(value) = self.get(memo, &key) {
            return Ok(value);
        }
        let generation = memo.generation();
        let value = read().await?;
        self.keep(memo, generation, key, value.clone());
        Ok(value)
    }

    /// [`Shelf::get_or_read`] for an answer that costs tens of milliseconds: one request
    /// reads a key at a time and those waiting for it take what it kept. When eight wall
    /// screens' answer expires at once, one of them recomputes it instead of all eight,
    /// each slowed by the seven others.
    pub async fn get_or_read_alone<E, Fut>(
        &self,
        memo: &Memo,
        key: K,
        read: impl FnOnce() -> Fut,
    ) -> Result<V, E>
    where
        K: Clone,
        Fut: std::future::Future<Output = Result<V, E>>,
    {
        if let Some(value) = self.get(memo, &key) {
            return Ok(value);
        }
        let queue = Arc::clone(
            self.reading
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(key.clone())
                .or_default(),
        );
        // Dropped however this ends, a reader cancelled mid-read included (its client gone,
        // its time up): the last one out takes the queue away.
        let _leave = LeaveQueue {
            reading: &self.reading,
            key: &key,
            queue: &queue,
        };
        let _turn = match queue.try_lock() {
            Ok(turn) => turn,
            Err(_) => {
                // Another reader is reading the answer again. If it only aged (no change
                // committed since), the others take the aged one instead of queueing
                // behind a read of a quarter of a second.
                if let Some(value) = self.aged(memo, &key) {
                    return Ok(value);
                }
                queue.lock().await
            }
        };
        self.get_or_read(memo, key.clone(), read).await
    }

    /// The answer kept for `key` when no change has passed since and it is younger than
    /// [`AGED_TTL`]: what waiting readers take while one reads it again.
    fn aged(&self, memo: &Memo, key: &K) -> Option<V> {
        let generation = memo.generation();
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = entries.get(key)?;
        (entry.generation == generation && entry.kept_at.elapsed() < AGED_TTL)
            .then(|| entry.value.clone())
    }

    /// Keeps `value`, read under `generation`, unless a change has been committed since.
    pub fn keep(&self, memo: &Memo, generation: u64, key: K, value: V) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if memo.generation() != generation {
            return;
        }
        if entries.len() >= CAP {
            entries.clear();
        }
        entries.insert(
            key,
            Entry {
                value,
                kept_at: Instant::now(),
                generation,
            },
        );
    }

    fn remove<Q>(&self, key: &Q)
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(key);
    }

    fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unread_count_read_before_a_commit_is_neither_served_nor_kept() {
        let unread = UnreadCounts::default();
        let before = unread.generation();
        unread.keep(before, 7, 3);
        assert_eq!(unread.get(7), Some(3));
        // A notification is read and committed while another request counts under the
        // old generation.
        unread.forget();
        assert_eq!(unread.get(7), None);
        unread.keep(before, 7, 3);
        assert_eq!(
            unread.get(7),
            None,
            "a count from before the commit is not kept"
        );
        unread.keep(unread.generation(), 7, 2);
        assert_eq!(unread.get(7), Some(2));
    }

    #[test]
    fn an_answer_read_before_a_change_is_neither_served_nor_kept() {
        let memo = Memo::default();
        let before = memo.generation();
        memo.subtrees
            .keep(&memo, before, vec![1], Arc::from([1, 2]));
        assert_eq!(
            memo.subtrees.get(&memo, &vec![1]).as_deref(),
            Some(&[1, 2][..])
        );
        // A change commits while another request is reading under the old generation.
        let reading = memo.generation();
        memo.forget_all();
        assert!(memo.subtrees.get(&memo, &vec![1]).is_none());
        memo.subtrees.keep(&memo, reading, vec![1], Arc::from([1]));
        assert!(
            memo.subtrees.get(&memo, &vec![1]).is_none(),
            "read before the change: not kept"
        );
    }

    #[tokio::test]
    async fn readers_of_one_key_wait_for_one_read_instead_of_each_reading() {
        let memo = Memo::default();
        let reads = std::sync::atomic::AtomicUsize::new(0);
        let read = || async {
            reads.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
            Ok::<_, ()>(Arc::from([7]))
        };
        let (a, b, c) = tokio::join!(
            memo.subtrees.get_or_read_alone(&memo, vec![1], read),
            memo.subtrees.get_or_read_alone(&memo, vec![1], read),
            memo.subtrees.get_or_read_alone(&memo, vec![1], read),
        );
        assert_eq!(
            (a, b, c),
            (Ok(Arc::from([7])), Ok(Arc::from([7])), Ok(Arc::from([7])))
        );
        assert_eq!(reads.load(Ordering::SeqCst), 1, "one read served all three");
        assert!(
            memo.subtrees.reading.lock().unwrap().is_empty(),
            "no queue left behind"
        );
    }

    /// A read that says it has started and answers `value` once told to finish.
    async fn held_read(
        started: &tokio::sync::Notify,
        finish: &tokio::sync::Notify,
        value: i64,
    ) -> Result<Arc<[i64]>, ()> {
        started.notify_one();
        finish.notified().await;
        Ok(Arc::from([value]))
    }

    #[tokio::test]
    async fn while_one_reader_reads_an_aged_answer_again_the_others_take_it_unless_changed() {
        let memo = Memo::default();
        memo.subtrees
            .keep(&memo, memo.generation(), vec![1], Arc::from([1]));
        let age = |by: Duration| {
            let mut entries = memo.subtrees.entries.lock().unwrap();
            let entry = entries.get_mut(&vec![1]).unwrap();
            entry.kept_at = Instant::now().checked_sub(by).unwrap();
        };
        age(TTL + Duration::from_secs(1));
        let (started, finish) = (tokio::sync::Notify::new(), tokio::sync::Notify::new());
        let slow = memo
            .subtrees
            .get_or_read_alone(&memo, vec![1], || held_read(&started, &finish, 2));
        let others = async {
            started.notified().await;
            let aged = memo
                .subtrees
                .get_or_read_alone(&memo, vec![1], || async { Ok::<_, ()>(Arc::from([9])) });
            // Bounded, so that a reader wrongly queueing fails the test instead of hanging it.
            let aged = tokio::time::timeout(Duration::from_secs(2), aged).await;
            finish.notify_one();
            aged
        };
        let (fresh, aged) = tokio::join!(slow, others);
        assert_eq!(fresh, Ok(Arc::from([2])), "the reader that read");
        assert_eq!(aged, Ok(Ok(Arc::from([1]))), "the other, without waiting");
        assert_eq!(memo.subtrees.get(&memo, &vec![1]), Some(Arc::from([2])));

        // Past a change, or too old, nobody takes the aged answer: they wait.
        for (change, by) in [(true, TTL), (false, AGED_TTL)] {
            memo.subtrees
                .keep(&memo, memo.generation(), vec![1], Arc::from([1]));
            age(by + Duration::from_secs(1));
            if change {
                memo.generation.fetch_add(1, Ordering::AcqRel);
            }
            let (started, finish) = (tokio::sync::Notify::new(), tokio::sync::Notify::new());
            let slow = memo
                .subtrees
                .get_or_read_alone(&memo, vec![1], || held_read(&started, &finish, 3));
            let other = async {
                started.notified().await;
                let waiting = memo
                    .subtrees
                    .get_or_read_alone(&memo, vec![1], || async { Ok::<_, ()>(Arc::from([9])) });
                tokio::pin!(waiting);
                assert!(
                    futures_util::FutureExt::now_or_never(waiting.as_mut()).is_none(),
                    "change {change}: waits"
                );
                finish.notify_one();
                waiting.await
            };
            let (_, waited) = tokio::join!(slow, other);
            assert_eq!(
                waited,
                Ok(Arc::from([3])),
                "change {change}: the new answer"
            );
        }
    }

    #[tokio::test]
    async fn a_reader_cancelled_mid_read_leaves_no_queue_behind() {
        let memo = Memo::default();
        let never = memo.subtrees.get_or_read_alone(&memo, vec![1], || async {
            tokio::time::sleep(Duration::from_secs(60)).await;
            Ok::<_, ()>(Arc::from([1]))
        });
        assert!(
            tokio::time::timeout(Duration::from_millis(10), never)
                .await
                .is_err()
        );
        assert!(memo.subtrees.reading.lock().unwrap().is_empty());
    }

    #[test]
    fn a_full_shelf_starts_again_instead_of_growing() {
        let memo = Memo::default();
        let g = memo.generation();
        for i in 0..(MAX_ENTRIES as i64 + 5) {
            memo.subtrees.keep(&memo, g, vec![i], Arc::from([i]));
        }
        let kept = memo.subtrees.entries.lock().unwrap().len();
        assert!(kept <= MAX_ENTRIES, "{kept}");
    }
}
