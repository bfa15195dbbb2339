//! Investigation checklists per form of trafficking: what an investigator of such a case is
//! expected to have done, item by item, drawn from the UNODC Anti-Human Trafficking Manual for
//! Criminal Justice Practitioners and the OSCE's guidance on victim-centred investigations.
//! Every case gets the general list; each form of exploitation its victims suffered adds its
//! own. Item ids (`list/item`) are stable: ticks are stored by them.

use super::CaseReport;

/// One list: the form of exploitation it is for (`general` for every case), its title, its
/// items as (id within the list, what is to be done).
#[derive(Debug)]
pub struct Checklist {
    pub code: &'static str,
    pub title: &'static str,
    pub items: &'static [(&'static str, &'static str)],
}

/// Longest note an item may carry.
pub const NOTE_LEN_MAX: usize = 2000;

pub static GENERAL: Checklist = Checklist {
    code: "general",
    title: "Every trafficking case",
    items: &[
        (
            "victims-referred",
            "Each victim referred to the national referral mechanism or a specialised support service",
        ),
        (
            "victims-informed",
            "Victims informed, in a language they understand, of the recovery and reflection period, residence, compensation and legal aid",
        ),
        (
            "specialist-interview",
            "Victims heard by trained officers, with an interpreter where needed and without the suspects present",
        ),
        (
            "non-punishment",
            "Offences the victims were compelled to commit considered under the non-punishment principle",
        ),
        (
            "records-checked",
            "Suspects, documents and vehicles checked against the hub's persons, travel documents and vehicles databases",
        ),
        (
            "financial-investigation",
            "Parallel financial investigation opened: accounts and transfers traced, assets frozen for confiscation",
        ),
        (
            "digital-evidence",
            "Phones, accounts and online profiles preserved (seizure, preservation requests to providers)",
        ),
        (
            "route-countries-contacted",
            "Bureaus of the route's countries contacted; a joint investigation team considered",
        ),
    ],
};

pub static SEXUAL_EXPLOITATION: Checklist = Checklist {
    code: "sexual-exploitation",
    title: "Sexual exploitation",
    items: &[
        (
            "advertisements-preserved",
            "Online advertisements and the platforms hosting them identified and preserved",
        ),
        (
            "premises-searched",
            "Places of exploitation (flats, clubs, massage parlours, hotels) identified and searched",
        ),
        (
            "earnings-control",
            "Control of the victims' earnings documented: debts, quotas, money taken",
        ),
        (
            "health-care",
            "Victims offered medical care, sexual and reproductive health included",
        ),
        (
            "witnesses-heard",
            "Clients, drivers, landlords and other witnesses identified and heard",
        ),
    ],
};

pub static FORCED_LABOUR: Checklist = Checklist {
    code: "forced-labour",
    title: "Forced labour",
    items: &[
        (
            "labour-inspection",
            "Labour inspectorate involved; the workplaces inspected",
        ),
        (
            "fees-and-debts",
            "Recruitment fees, debts and deductions from wages documented",
        ),
        (
            "papers-secured",
            "Contracts, pay slips, time records and the identity documents held by others secured",
        ),
        (
            "employer-chain",
            "Employer, subcontractors and recruitment agencies identified along the supply chain",
        ),
        (
            "conditions-recorded",
            "Working and living conditions recorded: hours, housing, freedom of movement",
        ),
    ],
};

pub static DOMESTIC_SERVITUDE: Checklist = Checklist {
    code: "domestic-servitude",
    title: "Domestic servitude",
    items: &[
        (
            "household-identified",
            "The household and each member employing the victim identified",
        ),
        (
            "immunity-checked",
            "Any diplomatic or consular immunity of the employer checked with the foreign ministry",
        ),
        (
            "isolation-documented",
            "Isolation documented: confinement, documents held by others, no days off, no wages",
        ),
        (
            "visa-papers-examined",
            "The victim's visa, sponsorship or au-pair papers examined",
        ),
    ],
};

pub static ORGAN_REMOVAL: Checklist = Checklist {
    code: "organ-removal",
    title: "Trafficking for the removal of organs",
    items: &[
        (
            "facility-identified",
            "Clinic or hospital and the medical staff involved identified",
        ),
        (
            "medical-records-secured",
            "Medical records of the removal and of the transplant secured",
        ),
        (
            "recipient-traced",
            "Recipient and where the transplant took place traced",
        ),
        (
            "broker-payments-traced",
            "Brokers and the payments to the donor and to the staff traced",
        ),
        (
            "donor-follow-up",
            "The donor examined and given medical follow-up",
        ),
    ],
};

pub static CHILD_SEXUAL_EXPLOITATION_TRAVEL: Checklist = Checklist {
    code: "child-sexual-exploitation-travel-tourism",
    title: "Child sexual exploitation in travel and tourism",
    items: &[
        (
            "travel-reconstructed",
            "The offender's travel reconstructed: bookings, flights, border crossings",
        ),
        (
            "travel-warnings",
            "Travel warnings (green notice, diffusion) to the countries the offender travels to considered",
        ),
        (
            "child-protection",
            "Child protection services of the child's country involved; the child's best interests assessed",
        ),
        (
            "images-submitted",
            "Images and videos secured and submitted for victim identification",
        ),
        (
            "accommodation-operators",
            "Accommodation, tour operators and guides involved identified",
        ),
        (
            "extraterritorial-prosecution",
            "Prosecution in the offender's own country under extraterritorial jurisdiction considered",
        ),
    ],
};

/// Every list, the general one first.
pub static CHECKLISTS: &[&Checklist] = &[
    &GENERAL,
    &SEXUAL_EXPLOITATION,
    &FORCED_LABOUR,
    &DOMESTIC_SERVITUDE,
    &ORGAN_REMOVAL,
    &CHILD_SEXUAL_EXPLOITATION_TRAVEL,
];

/// The lists a case gets: the general one, then one per form of exploitation its victims
/// suffered that has a list, in [`CHECKLISTS`] order.
pub fn for_report(report: &CaseReport) -> Vec<&'static Checklist> {
    CHECKLISTS
        .iter()
        .copied()
        .filter(|list| {
            list.code == GENERAL.code
                || report
                    .victims
                    .iter()
                    .any(|v| v.exploitation.iter().any(|e| e == list.code))
        })
        .collect()
}

/// The items of the lists, each as (`list/item`, what is to be done).
pub fn items(lists: &[&'static Checklist]) -> Vec<(String, &'static str)> {
    lists
        .iter()
        .flat_map(|list| {
            list.items
                .iter()
                .map(move |(id, text)| (format!("{}/{id}", list.code), *text))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::vocab;

    #[test]
    fn every_list_is_a_form_of_exploitation_and_its_items_are_unique() {
        for list in CHECKLISTS {
            assert!(
                list.code == "general" || vocab::EXPLOITATION.contains(list.code),
                "{} is not a type of exploitation",
                list.code
            );
            let mut ids: Vec<&str> = list.items.iter().map(|(id, _)| *id).collect();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), list.items.len(), "{}: an item twice", list.code);
            assert!(list.items.len() >= 4, "{}: too short to guide", list.code);
        }
        // The five forms the issue names each have their list.
        for form in [
            "sexual-exploitation",
            "forced-labour",
            "domestic-servitude",
            "organ-removal",
            "child-sexual-exploitation-travel-tourism",
        ] {
            assert!(CHECKLISTS.iter().any(|l| l.code == form), "{form}");
        }
    }
}
