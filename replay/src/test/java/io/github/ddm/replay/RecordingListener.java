package io.github.ddm.replay;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records what a replay reports. */
final class RecordingListener implements ReplayListener {

    final List<ReplayProgress> progress = new CopyOnWriteArrayList<>();
    final List<RecordError> invalid = new CopyOnWriteArrayList<>();
    final List<RecordError> unappliable = new CopyOnWriteArrayList<>();
    final List<String> threads = new CopyOnWriteArrayList<>();

    @Override
    public void onProgress(ReplayProgress p) {
        threads.add(Thread.currentThread().getName());
        progress.add(p);
    }

    @Override
    public void onInvalidRecord(RecordError error) {
        threads.add(Thread.currentThread().getName());
        invalid.add(error);
    }

    @Override
    public void onUnappliable(RecordError error) {
        threads.add(Thread.currentThread().getName());
        unappliable.add(error);
    }

    ReplayProgress last() {
        return progress.get(progress.size() - 1);
    }
}
