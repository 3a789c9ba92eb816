//! Reading the uploads: the real files, and every bad line reported with its line.

use super::*;

#[test]
fn the_real_files_have_the_counts_sources_md_gives() {
    let lineage = parse_lineage(LINEAGE.as_bytes()).unwrap();
    assert_eq!(lineage.len(), 158);
    let old: BTreeSet<&str> = lineage.iter().map(|r| r.old_code.as_str()).collect();
    let new: BTreeSet<&str> = lineage
        .iter()
        .filter_map(|r| r.new_code.as_deref())
        .collect();
    assert_eq!((old.len(), new.len()), (155, 58));
    assert_eq!(parse_new_units(COMMUNES.as_bytes()).unwrap().len(), 135);
    assert_eq!(
        parse_new_units(binh_dinh_new_units().as_bytes())
            .unwrap()
            .len(),
        58
    );
}

#[test]
fn bad_lines_of_either_file_are_reported_with_their_line() {
    let new_units = "code,name,level,parent_code\n21553,,commune,52\n21583,Phường Quy Nhơn,xa,52\n";
    let lineage = "old_code,new_code,weight\n21634,21622,abc\n,21628,0.5\n";
    let problems = plan(new_units, lineage, &NO_WORK, BEFORE).unwrap_err();
    let got: Vec<(Upload, usize, &str)> = problems
        .iter()
        .map(|p| match p {
            ChangeProblem::Row { upload, error } => (*upload, error.line, error.field.as_str()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        got,
        [
            (Upload::NewUnits, 2, "name"),
            (Upload::NewUnits, 3, "level"),
            (Upload::Lineage, 2, "weight"),
            (Upload::Lineage, 3, "old_code"),
        ]
    );
    assert_eq!(
        problems[0].message(Lang::Vi),
        "Tệp đơn vị mới — Dòng 2, cột name: Bắt buộc nhập."
    );
    assert!(
        problems[2]
            .message(Lang::En)
            .starts_with("Lineage file — Line 2, column weight: Not a number")
    );
    assert_eq!(
        parse_lineage(b"old,new\n1,2\n").unwrap_err(),
        [row_problem(
            Upload::Lineage,
            1,
            "old_code",
            RowProblem::MissingColumn
        )]
    );
    assert_eq!(
        parse_lineage(b"old_code,new_code\n").unwrap_err(),
        [row_problem(Upload::Lineage, 2, "-", RowProblem::NoRows)]
    );
    assert_eq!(parse_new_units(b"").unwrap(), []);
    assert_eq!(
        parse_new_units(b"\xEF\xBB\xBFcode,name,level\n").unwrap(),
        []
    );
    // A byte-order mark and a decimal comma are fine.
    let rows = parse_lineage("\u{FEFF}old_code,new_code,weight\n21634,21622,\"0,25\"\n".as_bytes())
        .unwrap();
    assert_eq!(rows[0].weight, Some(0.25));
}
