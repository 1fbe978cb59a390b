//! One sentence saying when a schedule runs and what it scans.

use crate::model::{RepoTag, Schedule, ScheduleRequest};

fn title_day(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f
            .to_uppercase()
            .chain(c.flat_map(|x| x.to_lowercase()))
            .collect(),
        None => String::new(),
    }
}

fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn repo_phrase(t: &RepoTag) -> String {
    let tags = t.tags();
    if tags.is_empty() {
        format!("all tags of {}", t.repo)
    } else if tags.len() == 1 {
        format!("tag {} of {}", tags[0], t.repo)
    } else {
        format!("tags {} of {}", tags.join(", "), t.repo)
    }
}

/// Says in one sentence when `req` runs (in UTC) and what it scans, e.g. "Runs every Thursday
/// at 09:30 UTC and scans all tags of azuretest, only the latest 5 tags by creation date,
/// rescanning every image."
pub fn explain(req: &ScheduleRequest) -> String {
    explain_with(req, None)
}

/// Like [`explain`], for a schedule as the server listed it. When the answer leaves out the
/// fields that decide the timing (Qualys's OpenAPI shape, spec §6b), the sentence says so
/// instead of guessing, and it never claims a force scan or a latest-N-tags limit that the
/// answer did not report.
pub fn explain_schedule(s: &Schedule) -> String {
    let missing = s.unreported_timing();
    let req = s.to_request();
    if missing.is_empty() {
        return explain(&req);
    }
    let at = s
        .schedule
        .as_deref()
        .map(|t| format!("; its time of day is {t} UTC"))
        .unwrap_or_default();
    let when = if missing.contains(&"onDemand") {
        format!(
            "Runs at times the server does not report ({} not in its answer{at}),",
            missing.join(", ")
        )
    } else {
        format!(
            "Runs on an automatic schedule whose interval the server does not report ({} not in its answer{at}),",
            missing.join(", ")
        )
    };
    explain_with(&req, Some(when))
}

fn explain_with(req: &ScheduleRequest, when: Option<String>) -> String {
    let when = if let Some(w) = when {
        w
    } else if req.on_demand {
        "Runs once, as soon as it is created,".to_owned()
    } else {
        let at = req.schedule.as_deref();
        match req.schedule_interval_in_days {
            Some(1) => format!("Runs every day at {} UTC", at.unwrap_or("(no time set)")),
            Some(7) => format!(
                "Runs every {} at {} UTC",
                req.week_day
                    .as_ref()
                    .map_or("week".to_owned(), |d| title_day(d.as_str())),
                at.unwrap_or("00:00")
            ),
            Some(n) => match at {
                Some(t) => format!("Runs every {n} days after its creation, at {t} UTC"),
                None => format!("Runs every {n} days after its creation"),
            },
            None => "Runs on an automatic schedule with no interval set".to_owned(),
        }
    };
    let mut scans: Vec<String> = Vec::new();
    for f in &req.filters {
        let repos: Vec<String> = f.repo_tags.iter().map(repo_phrase).collect();
        let mut s = if repos.is_empty() {
            "no repository".to_owned()
        } else {
            join_and(&repos)
        };
        if let Some(d) = f.days {
            s.push_str(&format!(
                " (images created in the last {d} day{})",
                if d == 1 { "" } else { "s" }
            ));
        }
        scans.push(s);
    }
    let mut what = if scans.is_empty() {
        "nothing (no filter)".to_owned()
    } else {
        scans.join("; ")
    };
    if let Some(n) = req
        .additional_filters
        .as_ref()
        .and_then(|a| a.number_of_tags)
    {
        what.push_str(&format!(
            ", only the latest {n} tag{} by creation date",
            if n == 1 { "" } else { "s" }
        ));
    }
    if req.force_scan == Some(true) {
        what.push_str(", rescanning every image");
    }
    format!("{when} and scans {what}.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::WeekDay;

    #[test]
    fn explains_each_kind() {
        let r = ScheduleRequest::weekly("w", WeekDay::Thursday)
            .at("09:30")
            .repo("azuretest")
            .force_scan(true)
            .latest_tags(5)
            .build_unchecked();
        assert_eq!(
            explain(&r),
            "Runs every Thursday at 09:30 UTC and scans all tags of azuretest, only the latest 5 tags by creation date, rescanning every image."
        );
        let r = ScheduleRequest::on_demand("o")
            .repo_tags("nginx", ["latest", "1.25"])
            .repo("app")
            .created_within_days(7)
            .build_unchecked();
        assert_eq!(
            explain(&r),
            "Runs once, as soon as it is created, and scans tags latest, 1.25 of nginx and all tags of app (images created in the last 7 days)."
        );
        let r = ScheduleRequest::every_days("e", 10)
            .repo("a")
            .build_unchecked();
        assert_eq!(
            explain(&r),
            "Runs every 10 days after its creation and scans all tags of a."
        );
    }
}
