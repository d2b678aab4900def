//! The HTTP transport API clients share: a request rate, timeouts, and retries with
//! exponential backoff and jitter on 429 and 5xx answers (and on timeouts and connection
//! failures), honouring `Retry-After`. One place for the retry loop: Clockify uses it today,
//! Qonto and Bexio will.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rand::Rng;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{RequestBuilder, Response, StatusCode};
use tokio::sync::Mutex;
use tokio::time::Instant;

/// How hard to try.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// Delay before the first retry; doubled at each retry.
    pub base_delay: Duration,
    /// No wait is longer (a `Retry-After` beyond it is cut to it).
    pub max_delay: Duration,
    /// Whole-request timeout.
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
            timeout: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// Delay before retry `retry` (1-based) without a `Retry-After`: exponential, capped,
    /// with up to 50 % random jitter so that many clients do not retry in lockstep.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(retry.saturating_sub(1).min(16)));
        let capped = exp.min(self.max_delay);
        let jitter = rand::rng().random_range(0.0..0.5);
        capped.mul_f64(1.0 + jitter).min(self.max_delay)
    }
}

/// A maximum request rate: a token bucket of `burst` requests refilled at `per_second`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RequestRate {
    pub per_second: f64,
    pub burst: u32,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// Spaces requests to a [`RequestRate`].
#[derive(Debug)]
pub struct RateLimiter {
    rate: RequestRate,
    bucket: Mutex<Bucket>,
}

impl RateLimiter {
    pub fn new(rate: RequestRate) -> RateLimiter {
        let rate = RequestRate {
            per_second: if rate.per_second > 0.0 {
                rate.per_second
            } else {
                1.0
            },
            burst: rate.burst.max(1),
        };
        RateLimiter {
            rate,
            bucket: Mutex::new(Bucket {
                tokens: f64::from(rate.burst),
                last: Instant::now(),
            }),
        }
    }

    /// Waits until a request may go.
    pub async fn acquire(&self) {
        loop {
            let wait = {
                let mut b = self.bucket.lock().await;
                let now = Instant::now();
                let refill = now.duration_since(b.last).as_secs_f64() * self.rate.per_second;
                b.tokens = (b.tokens + refill).min(f64::from(self.rate.burst));
                b.last = now;
                if b.tokens >= 1.0 {
                    b.tokens -= 1.0;
                    return;
                }
                Duration::from_secs_f64((1.0 - b.tokens) / self.rate.per_second)
            };
            tokio::time::sleep(wait).await;
        }
    }
}

/// What the transport counted (for progress reports and tests).
#[derive(Debug, Default)]
pub struct TransportStats {
    pub requests: AtomicU64,
    pub retries: AtomicU64,
    /// 429 answers received.
    pub throttled: AtomicU64,
}

/// A request that could not get an answer.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("no answer after {attempts} attempts ({last})")]
    Unreachable { attempts: u32, last: String },
    #[error("the request could not be built: {0}")]
    Build(String),
}

/// `Retry-After` as seconds or as an HTTP date.
pub fn retry_after(headers: &HeaderMap, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let v = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let delta = at.with_timezone(&chrono::Utc) - now;
    Some(delta.to_std().unwrap_or(Duration::ZERO))
}

/// An HTTP client with the rate, timeout and retry policy applied to every request.
#[derive(Clone, Debug)]
pub struct Transport {
    http: reqwest::Client,
    policy: RetryPolicy,
    limiter: Option<Arc<RateLimiter>>,
    pub stats: Arc<TransportStats>,
}

/// Installs the `ring` TLS provider once (rustls is built without a default one).
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl Transport {
    pub fn new(
        policy: RetryPolicy,
        rate: Option<RequestRate>,
        user_agent: &str,
    ) -> Result<Transport, TransportError> {
        install_tls_provider();
        let http = reqwest::Client::builder()
            .timeout(policy.timeout)
            .connect_timeout(policy.timeout.min(Duration::from_secs(10)))
            .user_agent(user_agent)
            .build()
            .map_err(|e| TransportError::Build(e.to_string()))?;
        Ok(Transport {
            http,
            policy,
            limiter: rate.map(|r| Arc::new(RateLimiter::new(r))),
            stats: Arc::default(),
        })
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Sends the request built by `build` (called again for each attempt). Retries 429, 5xx,
    /// timeouts and connection failures; any other answer, and the last retryable one, is
    /// returned as is for the caller to interpret.
    pub async fn send(
        &self,
        build: impl Fn(&reqwest::Client) -> RequestBuilder,
    ) -> Result<Response, TransportError> {
        self.send_classified(build, |resp| async move {
            let retryable = is_retryable_status(resp.status());
            Ok(Classified {
                retryable,
                value: resp,
            })
        })
        .await
    }

    /// Like [`Transport::send`], but `classify` reads each answer (its body too, if it needs
    /// to) and says whether to retry it: for APIs that signal throttling outside 429/5xx,
    /// such as Gmail's 403 `rateLimitExceeded`. `Retry-After` is read before `classify` runs.
    pub async fn send_classified<T, F, Fut>(
        &self,
        build: impl Fn(&reqwest::Client) -> RequestBuilder,
        classify: F,
    ) -> Result<T, TransportError>
    where
        F: Fn(Response) -> Fut,
        Fut: Future<Output = Result<Classified<T>, TransportError>>,
    {
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            if let Some(l) = &self.limiter {
                l.acquire().await;
            }
            self.stats.requests.fetch_add(1, Ordering::Relaxed);
            let last_try = attempt >= self.policy.max_attempts;
            match build(&self.http).send().await {
                Ok(resp) => {
                    let status = resp.status();
                    if status == StatusCode::TOO_MANY_REQUESTS {
                        self.stats.throttled.fetch_add(1, Ordering::Relaxed);
                    }
                    let asked = retry_after(resp.headers(), chrono::Utc::now());
                    let answer = classify(resp).await?;
                    if !answer.retryable || last_try {
                        return Ok(answer.value);
                    }
                    let wait = asked
                        .map(|d| d.min(self.policy.max_delay))
                        .unwrap_or_else(|| self.policy.backoff(attempt));
                    tracing::debug!(%status, ?wait, attempt, "retrying after a retryable answer");
                    drop(answer);
                    self.stats.retries.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(wait).await;
                }
                Err(e) if e.is_builder() => return Err(TransportError::Build(e.to_string())),
                Err(e) => {
                    if last_try {
                        return Err(TransportError::Unreachable {
                            attempts: attempt,
                            last: without_url(&e),
                        });
                    }
                    self.stats.retries.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(self.policy.backoff(attempt)).await;
                }
            }
        }
    }
}

/// 429 and 5xx: the answers every API means as "try again later".
pub fn is_retryable_status(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

/// An answer read by a [`Transport::send_classified`] classifier.
#[derive(Debug)]
pub struct Classified<T> {
    pub value: T,
    pub retryable: bool,
}

/// reqwest's message, without the URL (which may carry query secrets).
fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    let mut msg = e.to_string();
    if let Some(u) = e.url() {
        msg = msg.replace(u.as_str(), "<url>");
    }
    format!("{kind}: {msg}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let p = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            ..RetryPolicy::default()
        };
        let first = p.backoff(1);
        assert!(first >= Duration::from_millis(100) && first < Duration::from_millis(151));
        let third = p.backoff(3);
        assert!(third >= Duration::from_millis(400) && third < Duration::from_millis(601));
        assert!(p.backoff(30) <= Duration::from_secs(1));
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = chrono::DateTime::parse_from_rfc3339("2015-10-21T07:27:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("3"));
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(3)));
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(60)));
        h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h, now), None);
    }

    #[tokio::test(start_paused = true)]
    async fn the_limiter_spaces_requests_beyond_the_burst() {
        let l = RateLimiter::new(RequestRate {
            per_second: 10.0,
            burst: 2,
        });
        let start = Instant::now();
        for _ in 0..4 {
            l.acquire().await;
        }
        // Two free, then two more at 100 ms each.
        let elapsed = start.elapsed();
        assert!(elapsed >= Duration::from_millis(190), "{elapsed:?}");
        assert!(elapsed < Duration::from_millis(400), "{elapsed:?}");
    }
}
