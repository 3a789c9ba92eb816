//! The two macros that let one query text run on either engine.

/// Runs the same query text on whichever engine the connection is on: `$body` is
/// compiled once per engine with `$x` as that engine's connection.
macro_rules! q {
    ($conn:expr, |$x:ident| $body:expr) => {
        match $conn.raw() {
            $crate::db::Raw::Sqlite($x) => $body,
            $crate::db::Raw::Postgres($x) => $body,
        }
    };
}

/// Binds a list of [`Arg`]s to a query, in order.
macro_rules! bind_all {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        for arg in $args {
            query = match arg {
                $crate::db::Arg::Int(v) => query.bind(v),
                $crate::db::Arg::Text(v) => query.bind(v),
                $crate::db::Arg::Date(v) => query.bind(v),
                $crate::db::Arg::Time(v) => query.bind(v),
            };
        }
        query
    }};
}

pub(crate) use {bind_all, q};
