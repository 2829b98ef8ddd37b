//! Non-HTTP triggers: Service Bus queues and timers.

pub mod ncrontab;
mod queue;
mod timer;

pub(crate) use queue::run_queue_trigger;
pub(crate) use timer::run_timer;
