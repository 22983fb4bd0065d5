package badgerstore

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the stores' counters and histograms, shared by all the
// devices of a node (labelled by device). Create them once per registry.
type Metrics struct {
	// fsync is the latency of making writes durable, by device and kind:
	// "data" (fdatasync of a data file), "dir" (fsync of the directory
	// a data file was renamed into) and "index" (a Badger commit with
	// SyncWrites, one per group of concurrent writes).
	fsync *prometheus.HistogramVec
	// diskErrors counts I/O errors and full disks seen by a device.
	diskErrors *prometheus.CounterVec
	// quarantines counts objects found corrupt and moved aside.
	quarantines *prometheus.CounterVec
	// recovered counts what Open's recovery removed after an unclean
	// shutdown, by kind: "temp" files, "orphan" data files no record
	// references, "missing_data" records whose data file was gone.
	recovered *prometheus.CounterVec
	// commitBatch is the number of object writes per index commit: how
	// well concurrent writes share fsyncs.
	commitBatch *prometheus.HistogramVec
}

// NewMetrics creates the store metrics and registers them with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		fsync: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "swiftlet", Subsystem: "objectserver", Name: "fsync_duration_seconds",
			Help:    "Time to make object writes durable: fdatasync of data files (kind=data), fsync of their directory (kind=dir), and synced index commits (kind=index).",
			Buckets: prometheus.ExponentialBuckets(50e-6, 2, 16), // 50 µs to 1.6 s
		}, []string{"device", "kind"}),
		diskErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "swiftlet", Subsystem: "objectserver", Name: "disk_errors_total",
			Help: "I/O errors and out-of-space errors on a device's object store.",
		}, []string{"device"}),
		quarantines: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "swiftlet", Subsystem: "objectserver", Name: "quarantines_total",
			Help: "Objects whose data failed its checksum (or was missing) and were quarantined.",
		}, []string{"device"}),
		recovered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "swiftlet", Subsystem: "objectserver", Name: "recovery_removed_total",
			Help: "What recovery after an unclean shutdown removed: temp files (kind=temp), unreferenced data files (kind=orphan), records without data (kind=missing_data).",
		}, []string{"device", "kind"}),
		commitBatch: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "swiftlet", Subsystem: "objectserver", Name: "index_commit_batch_writes",
			Help:    "Object writes per synced index commit (group commit).",
			Buckets: prometheus.ExponentialBuckets(1, 2, 9), // 1 to 256
		}, []string{"device"}),
	}
	if reg != nil {
		reg.MustRegister(m.fsync, m.diskErrors, m.quarantines, m.recovered, m.commitBatch)
	}
	return m
}

// deviceMetrics are one device's series, resolved once; the zero value
// (no Metrics) records nothing.
type deviceMetrics struct {
	fsyncData, fsyncDir, fsyncIndex prometheus.Observer
	diskErrors, quarantines         prometheus.Counter
	recovered                       func(kind string) prometheus.Counter
	commitBatch                     prometheus.Observer
}

func (m *Metrics) forDevice(device string) deviceMetrics {
	if m == nil {
		return deviceMetrics{}
	}
	return deviceMetrics{
		fsyncData:   m.fsync.WithLabelValues(device, "data"),
		fsyncDir:    m.fsync.WithLabelValues(device, "dir"),
		fsyncIndex:  m.fsync.WithLabelValues(device, "index"),
		diskErrors:  m.diskErrors.WithLabelValues(device),
		quarantines: m.quarantines.WithLabelValues(device),
		recovered:   func(kind string) prometheus.Counter { return m.recovered.WithLabelValues(device, kind) },
		commitBatch: m.commitBatch.WithLabelValues(device),
	}
}

func observe(o prometheus.Observer, start time.Time) {
	if o != nil {
		o.Observe(time.Since(start).Seconds())
	}
}

func inc(c prometheus.Counter) {
	if c != nil {
		c.Inc()
	}
}

func addRecovered(m deviceMetrics, kind string, n int) {
	if m.recovered != nil && n > 0 {
		m.recovered(kind).Add(float64(n))
	}
}
