//! Every word the pages show, by key: (key, Danish, English). Templates read them as
//! `t.key`; the test below refuses a template that names a key missing here.

pub const STRINGS: &[(&str, &str, &str)] = &[
        ("skip", "Gå til indholdet", "Skip to content"),
        ("nav", "Hovedmenu", "Main menu"),
        ("overview", "Oversigt", "Overview"),
        ("switch", "English", "Dansk"),
        ("logout", "Log ud", "Sign out"),
        (
            "footer",
            "trappe – fælles udlejningsaftaler. Syntetiske eksempeldata.",
            "trappe – joint letting agreements. Synthetic example data.",
        ),
        ("sign_in", "Log ind", "Sign in"),
        ("username", "Brugernavn", "User name"),
        ("password", "Adgangskode", "Password"),
        ("error_title", "Det gik ikke", "That did not work"),
        (
            "back_to_overview",
            "Tilbage til oversigten",
            "Back to the overview",
        ),
        (
            "overview_title",
            "Afdelingernes placering pr.",
            "Placement of the departments on",
        ),
        ("figures_as_of", "Nøgletal pr.", "Key figures as of"),
        ("list_of", "statens liste pr.", "state list of"),
        (
            "only_organisation",
            "kun boligorganisation",
            "only organisation",
        ),
        ("filters", "Filtre", "Filters"),
        ("organisation", "Boligorganisation", "Organisation"),
        ("all", "Alle", "All"),
        ("step", "Trin", "Step"),
        ("area", "Boligområde", "Housing area"),
        ("search", "Søg", "Search"),
        (
            "search_hint",
            "afdelingsnummer eller navn",
            "department number or name",
        ),
        (
            "changed",
            "Kun afdelinger, der har skiftet trin ved seneste beregning",
            "Only departments that changed step in the latest run",
        ),
        ("apply", "Vis", "Show"),
        ("reset", "Nulstil", "Reset"),
        (
            "per_step",
            "Afdelinger og familieboliger pr. trin",
            "Departments and family homes per step",
        ),
        ("departments", "Afdelinger", "Departments"),
        ("family_homes", "Familieboliger", "Family homes"),
        ("residents", "Beboere", "Residents"),
        ("department", "Afdeling", "Department"),
        ("name", "Navn", "Name"),
        ("export_csv", "Hent som CSV", "Download as CSV"),
        (
            "export_xlsx",
            "Hent som Excel (XLSX)",
            "Download as Excel (XLSX)",
        ),
        (
            "chart_homes_per_step",
            "Søjlediagram: familieboliger pr. trin",
            "Bar chart: family homes per step",
        ),
        (
            "chart_history",
            "Linjediagram: nøgletal over tid",
            "Line chart: key figures over time",
        ),
        ("placement", "Placering", "Placement"),
        ("need", "Behov", "Need"),
        (
            "indicators",
            "Nøgletal mod grænseværdierne",
            "Key figures against the thresholds",
        ),
        ("criterion", "Kriterium", "Criterion"),
        ("against", "Grænse", "Threshold of"),
        ("value", "Værdi", "Value"),
        ("threshold", "Grænseværdi", "Threshold"),
        ("distance", "Afstand (procentpoint)", "Distance (points)"),
        (
            "persons_to_udsat",
            "Personer til grænsen for udsatte",
            "Persons to the disadvantaged threshold",
        ),
        ("met", "Opfyldt", "Met"),
        ("reasons", "Begrundelse", "Reasons"),
        (
            "history",
            "Nøgletal og trin over tid",
            "Key figures and steps over time",
        ),
        ("in_force_from", "Gældende fra", "In force from"),
        ("role_municipality", "kommunen", "municipality"),
        (
            "role_organisation",
            "boligorganisation",
            "housing organisation",
        ),
        ("role_steering", "styregruppen", "steering group"),
        ("yes", "ja", "yes"),
        (
            "approvals",
            "Godkendelser og beslutninger",
            "Approvals and decisions",
        ),
        ("decision_kind", "Beslutning", "Decision"),
        (
            "decision_exemption",
            "Samarbejdsforum godkender fritagelse for den ekstra anvisning (år)",
            "The Samarbejdsforum approves the exemption from the extra share (year)",
        ),
        (
            "decision_in_advance",
            "Fritagelse på forhånd (fra–til)",
            "Exemption in advance (from–to)",
        ),
        (
            "decision_safeguard",
            "Særlig sikring på trin 1 (fra)",
            "Safeguard on step 1 (from)",
        ),
        ("year", "År", "Year"),
        ("decided_by", "Besluttet af", "Decided by"),
        ("decided_on", "Besluttet den", "Decided on"),
        (
            "chart_indicators",
            "Søjlediagram: nøgletal og grænseværdier",
            "Bar chart: key figures and thresholds",
        ),
        (
            "chart_steps",
            "Trappediagram: trin over tid",
            "Step chart: steps over time",
        ),
        ("check_met", "opfyldt", "met"),
        ("check_not_met", "ikke opfyldt", "not met"),
        ("documents", "Dokumentation", "Documents"),
        ("member", "medlem", "member"),
        ("seen", "set", "seen"),
        ("missing", "mangler", "missing"),
        (
            "check_not_stored",
            "Tjekket gemmes ikke.",
            "The check is not stored.",
        ),
        ("check_household", "Tjek en husstand", "Check a household"),
        ("household_file", "Husstand (JSON)", "Household (JSON)"),
        ("check", "Tjek", "Check"),
        ("receipt", "Kvittering", "Receipt"),
        (
            "receipt_hint",
            "Hvad placeringen er beregnet ud fra, så den kan genskabes",
            "What the placement was computed from, so it can be reproduced",
        ),
        (
            "parameters",
            "Parametre med kilde",
            "Parameters with their source",
        ),
        ("law", "Lov", "Law"),
        ("program", "Program", "Program"),
        ("valid_for", "Gælder for", "Valid for"),
        ("rows_header", "Rækker", "Rows"),
        (
            "wheel_and_lettings",
            "Udlejningshjul og seneste hændelser",
            "Letting wheel and recent entries",
        ),
        ("last_slot", "Seneste plads", "Last slot"),
        ("round", "runde", "round"),
        ("next_slot", "næste plads", "next slot"),
        (
            "no_vacancies_yet",
            "Ingen ledige boliger registreret endnu: hjulet starter på plads 1.",
            "No vacancies registered yet: the wheel starts at slot 1.",
        ),
        ("vacancy", "Ledig bolig", "Vacancy"),
        ("takeover", "overtagelse", "takeover"),
        ("inputs", "inddata", "inputs"),
        ("applicant", "Ansøger", "Applicant"),
        ("seniority", "Anciennitet", "Seniority"),
        ("standing", "Placering", "Standing"),
        ("rank_applicants", "Rangér ansøgere", "Rank applicants"),
        (
            "applicants_file",
            "Ansøgerliste (JSON)",
            "Applicants file (JSON)",
        ),
        (
            "internal_priority",
            "Boligen tilbydes intern oprykning først",
            "The home is offered to internal transfers first",
        ),
        (
            "internal_criteria_everywhere",
            "Interne ansøgere opfylder de fleksible kriterier også i egen afdeling og eget område (boligorganisationens beslutning)",
            "Internal applicants meet the flexible criteria also in their own department and area (the organisation's decision)",
        ),
        ("rank", "Rangér", "Rank"),
        (
            "no_qualified",
            "Fleksibel bolig udlejet fra ventelisten, fordi ingen opfyldte kriterierne",
            "Flexible home let from the waiting list because nobody met the criteria",
        ),
        ("reports", "Rapporter", "Reports"),
        ("report", "Rapport", "Report"),
        (
            "report_lettings",
            "Udlejninger efter kanal",
            "Lettings by channel",
        ),
        (
            "report_allocation",
            "Boliger til kommunal anvisning",
            "Homes for municipal allocation",
        ),
        (
            "report_every_nth_vacancy",
            "Anvisning over aftalens andel af de ledige boliger (året for fra-datoen)",
            "Allocation above the agreement's share of vacancies (the year of the from date)",
        ),
        ("from", "Fra", "From"),
        ("to", "Til", "To"),
        (
            "by_organisation",
            "Pr. boligorganisation",
            "By organisation",
        ),
        (
            "no_rows",
            "Ingen rækker i perioden.",
            "No rows in the period.",
        ),
        ("imports", "Indlæs data", "Import data"),
        (
            "import_refused",
            "Filen blev afvist:",
            "The file was refused:",
        ),
        (
            "import_nothing_stored",
            "Intet er gemt. Ret fejlene i filen, og indlæs den igen.",
            "Nothing was stored. Correct the file and upload it again.",
        ),
        ("line", "Linje", "Line"),
        ("column", "Kolonne", "Column"),
        ("expected", "Forventet", "Expected"),
        (
            "import_truncated",
            "Der er flere fejl end de viste.",
            "There are more errors than those shown.",
        ),
        (
            "import_checked",
            "Filen er kontrolleret",
            "The file is checked",
        ),
        ("rows", "rækker", "rows"),
        (
            "import_confirm_hint",
            "Intet er gemt endnu.",
            "Nothing is stored yet.",
        ),
        ("import_confirm", "Indlæs filen", "Import the file"),
        ("cancel", "Fortryd", "Cancel"),
        ("import_done", "Filen er indlæst", "The file is imported"),
        (
            "import_unchanged",
            "samme indhold var allerede indlæst; intet ændret",
            "the same content was held already; nothing changed",
        ),
        (
            "runs_recomputed",
            "beregning(er) foretaget",
            "run(s) recomputed",
        ),
        (
            "changes_caused",
            "Afdelinger, der skiftede trin",
            "Departments that moved step",
        ),
        ("before", "Før", "Before"),
        ("after", "Efter", "After"),
        ("why", "Hvorfor", "Why"),
        ("no_changes", "Ingen skiftede trin.", "None moved step."),
        (
            "upload",
            "Indlæs en fil (CSV eller XLSX)",
            "Upload a file (CSV or XLSX)",
        ),
        ("kind", "Slags", "Kind"),
        (
            "kind_departments",
            "afdelingernes nøgletal",
            "departments' key figures",
        ),
        (
            "kind_areas",
            "statens liste (boligområder)",
            "the state list (areas)",
        ),
        ("kind_pools", "puljers nøgletal", "pool figures"),
        ("kind_decisions", "beslutninger", "decisions"),
        (
            "reference_date",
            "Opgørelsesdato / listedato",
            "Reference date / list date",
        ),
        ("file", "Fil", "File"),
        ("check_file", "Kontrollér filen", "Check the file"),
        ("held", "Indlæste filer", "Files held"),
        ("imported_at", "Indlæst", "Imported"),
        (
            "drop_warning",
            "Filen mangler afdelinger, som det seneste udtræk før den har:",
            "The file lacks departments that the newest snapshot before it holds:",
        ),
        (
            "drop_departments",
            "afdelinger ville forsvinde fra data, af",
            "departments would leave the data, of",
        ),
        ("drop_held_on", "pr.", "on"),
        ("drop_limit_more_than", "Mere end", "More than"),
        (
            "drop_limit_rest",
            "af en kommunes afdelinger må ikke forsvinde, medmindre du bekræfter det.",
            "of a municipality's departments may not leave unless you confirm it.",
        ),
        ("drop_among", "Blandt dem", "Among them"),
        (
            "drop_confirm",
            "Ja, afdelingerne er reelt udgået af data – indlæs filen alligevel",
            "Yes, these departments really left the data – import the file anyway",
        ),
        ("status", "Status", "Status"),
        ("in_use", "I brug", "In use"),
        ("withdrawn_by", "Trukket tilbage", "Withdrawn"),
        ("by_lower", "af", "by"),
        ("withdraw", "Træk tilbage", "Withdraw"),
        (
            "withdraw_reason",
            "Begrundelse",
            "Reason",
        ),
        (
            "withdraw_done",
            "Udtrækket er trukket tilbage",
            "The snapshot is withdrawn",
        ),
        (
            "withdraw_kept",
            "Det bevares i historikken, men indgår ikke længere i placeringerne; en fil for datoen kan nu indlæses igen.",
            "It stays in the history but is no longer an input of the placements; a file for that date may now be imported again.",
        ),
        (
            "withdraw_in_force",
            "Placeringen i kraft bygger nu på data pr.",
            "The placement in force now rests on the data of",
        ),
        (
            "withdraw_none_in_force",
            "Ingen placering er længere i kraft pr. denne dato.",
            "No placement is in force on this date any more.",
        ),
        (
            "withdraw_changes",
            "Afdelinger, der skiftede trin ved tilbagetrækningen",
            "Departments that moved step with the withdrawal",
        ),
        ("vacancies", "Ledige boliger", "Vacancies"),
        ("only_open", "Kun uafsluttede", "Open only"),
        (
            "register_vacancy",
            "Registrér en ledig bolig",
            "Register a vacancy",
        ),
        ("home", "Bolig", "Home"),
        ("vacated", "Ledig fra", "Vacant from"),
        (
            "received",
            "Modtaget af kommunen",
            "Received by the municipality",
        ),
        ("register", "Registrér", "Register"),
        ("channel", "Kanal", "Channel"),
        ("now_with", "Ligger nu hos", "Now with"),
        ("resolved", "afsluttet", "resolved"),
        ("move_in_by", "Indflytning senest", "Move-in by"),
        (
            "free_return_until",
            "Gratis returnering til og med",
            "Free return until",
        ),
        ("outcomes", "Hændelser", "Outcomes"),
        ("date", "Dato", "Date"),
        ("outcome", "Udfald", "Outcome"),
        ("by", "Af", "By"),
        ("resolve", "Registrér udfald", "Record an outcome"),
        ("outcome_let", "udlejet", "let"),
        (
            "outcome_allocated",
            "anvist af kommunen",
            "allocated by the municipality",
        ),
        (
            "outcome_returned",
            "returneret af kommunen",
            "returned by the municipality",
        ),
        (
            "outcome_not_used",
            "ikke brugt (videre til næste kanal)",
            "not used (on to the next channel)",
        ),
        (
            "outcome_withdrawn",
            "registreret ved en fejl",
            "registered in error",
        ),
        (
            "let_channel",
            "Udlejet via (ved udlejning)",
            "Let through (when let)",
        ),
        (
            "ch_waiting_list",
            "almindelig venteliste",
            "ordinary waiting list",
        ),
        ("ch_flexible", "fleksibel udlejning", "flexible letting"),
        (
            "ch_municipal_allocation",
            "kommunal anvisning",
            "municipal allocation",
        ),
        (
            "ch_urban_renewal",
            "byfornyelsesgenhusning",
            "urban-renewal rehousing",
        ),
        (
            "ch_internal_transfer",
            "intern oprykning",
            "internal transfer",
        ),
        ("ch_exchange", "bytte", "exchange"),
        (
            "move_in",
            "Indflytning (ved anvisning)",
            "Move-in (when allocated)",
        ),
        (
            "note",
            "Note (ved fejlregistrering)",
            "Note (when registered in error)",
        ),
        ("save", "Gem", "Save"),
        ("agreement", "Aftalen", "The agreement"),
        ("period", "Periode", "Period"),
        ("source", "Kilde", "Source"),
        (
            "steps",
            "Trin og deres udlejning",
            "Steps and their letting",
        ),
        ("channels", "Kanaler", "Channels"),
        ("shares", "Andele", "Shares"),
        ("criteria_sets", "Kriteriesæt", "Criteria sets"),
        ("wheels", "Udlejningshjul", "Letting wheels"),
        ("slots", "Pladser", "Slots"),
        ("interpretations", "Fortolkninger", "Interpretations"),
        ("thresholds", "Grænseværdier", "Thresholds"),
        ("no", "nej", "no"),
    ];

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::STRINGS;

    #[test]
    fn every_key_a_template_names_is_here_once_in_both_languages() {
        let mut keys = BTreeSet::new();
        for (k, da, en) in STRINGS {
            assert!(keys.insert(*k), "{k} twice");
            assert!(
                !da.trim().is_empty() && !en.trim().is_empty(),
                "{k} is empty"
            );
        }
        let mut named = 0;
        for (name, text) in crate::pages::TEMPLATES {
            let bytes = text.as_bytes();
            for (i, _) in text.match_indices("t.") {
                if i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_') {
                    continue;
                }
                let key: String = text[i + 2..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if key.is_empty() {
                    continue;
                }
                named += 1;
                assert!(
                    keys.contains(key.as_str()),
                    "{name} names t.{key}, which has no words"
                );
            }
        }
        assert!(
            named > 100,
            "the scan found only {named} keys in the templates"
        );
    }
}
