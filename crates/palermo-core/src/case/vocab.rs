//! The value lists of the case report, in one place: the JSON Schema, the validation, the
//! statistics and the documentation all read them from here.
//!
//! They follow the international Human Trafficking Case Data Standard (HTCDS v2, IOM): its
//! types of exploitation, methods of control, methods of recruitment, roles in the process and
//! case statuses, the Counter Trafficking Data Collaborative's age bands and recruiter relations
//! (the public dataset's columns), and ISIC Rev. 4 sections for labour sectors. Codes are kebab
//! case; each carries the label a person reads.

/// One value list: its name (as the documentation and errors call it) and its codes with labels.
#[derive(Debug)]
pub struct Vocab {
    pub name: &'static str,
    pub values: &'static [(&'static str, &'static str)],
}

impl Vocab {
    pub fn contains(&self, code: &str) -> bool {
        self.values.iter().any(|(c, _)| *c == code)
    }

    pub fn codes(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.values.iter().map(|(c, _)| *c)
    }

    pub fn label(&self, code: &str) -> Option<&'static str> {
        self.values
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, l)| *l)
    }

    /// What an error says was expected: every allowed code.
    pub fn expected(&self) -> String {
        format!(
            "one of the {} values: {}",
            self.name,
            self.codes().collect::<Vec<_>>().join(", ")
        )
    }
}

/// Where a case stands (HTCDS case status).
pub static CASE_STATUS: Vocab = Vocab {
    name: "case status",
    values: &[
        ("active", "Active: under investigation"),
        (
            "follow-up",
            "Follow-up: investigation done, proceedings or support under way",
        ),
        ("closed", "Closed"),
        (
            "closed-referred",
            "Closed, referred to another authority or organisation",
        ),
    ],
};

/// What the case is about: trafficking in persons, smuggling of migrants, or both.
pub static CASE_FORM: Vocab = Vocab {
    name: "form of crime",
    values: &[
        ("trafficking", "Trafficking in persons"),
        ("smuggling", "Smuggling of migrants"),
        (
            "trafficking-and-smuggling",
            "Smuggling that turned into trafficking",
        ),
    ],
};

/// Types of exploitation (HTCDS; the CTDC dataset's `is…` flags).
pub static EXPLOITATION: Vocab = Vocab {
    name: "type of exploitation",
    values: &[
        ("sexual-exploitation", "Sexual exploitation"),
        ("forced-labour", "Forced labour"),
        ("domestic-servitude", "Domestic servitude"),
        ("forced-marriage", "Forced marriage"),
        ("forced-criminality", "Forced criminal activity"),
        ("forced-begging", "Forced begging"),
        ("forced-military", "Forced military service, child soldiers"),
        ("organ-removal", "Removal of organs"),
        (
            "slavery-and-similar-practices",
            "Slavery and practices similar to slavery",
        ),
        (
            "child-sexual-exploitation-travel-tourism",
            "Child sexual exploitation in travel and tourism",
        ),
        ("other", "Other exploitation"),
    ],
};

/// Types of sexual exploitation (CTDC `typeOfSex…`).
pub static SEXUAL_EXPLOITATION: Vocab = Vocab {
    name: "type of sexual exploitation",
    values: &[
        ("prostitution", "Prostitution"),
        ("pornography", "Pornography"),
        (
            "remote-interactive-services",
            "Remote interactive services (webcam, live streaming)",
        ),
        ("private-sexual-services", "Private sexual services"),
        ("other", "Other"),
    ],
};

/// Labour sectors: ISIC Rev. 4 sections.
pub static LABOUR_SECTOR: Vocab = Vocab {
    name: "ISIC Rev. 4 section",
    values: &[
        ("A", "Agriculture, forestry and fishing"),
        ("B", "Mining and quarrying"),
        ("C", "Manufacturing"),
        ("D", "Electricity, gas, steam and air conditioning supply"),
        (
            "E",
            "Water supply; sewerage, waste management and remediation",
        ),
        ("F", "Construction"),
        ("G", "Wholesale and retail trade; repair of motor vehicles"),
        ("H", "Transportation and storage"),
        ("I", "Accommodation and food service activities"),
        ("J", "Information and communication"),
        ("K", "Financial and insurance activities"),
        ("L", "Real estate activities"),
        ("M", "Professional, scientific and technical activities"),
        ("N", "Administrative and support service activities"),
        (
            "O",
            "Public administration and defence; compulsory social security",
        ),
        ("P", "Education"),
        ("Q", "Human health and social work activities"),
        ("R", "Arts, entertainment and recreation"),
        ("S", "Other service activities"),
        ("T", "Activities of households as employers"),
        (
            "U",
            "Activities of extraterritorial organisations and bodies",
        ),
    ],
};

/// Methods of control (HTCDS; CTDC `meansOfControl…`).
pub static CONTROL: Vocab = Vocab {
    name: "method of control",
    values: &[
        ("debt-bondage", "Debt bondage"),
        ("takes-earnings", "Takes earnings"),
        (
            "restricts-financial-access",
            "Restricts access to money or accounts",
        ),
        ("threats", "Threats to the victim or the victim's family"),
        ("psychological-abuse", "Psychological abuse"),
        ("physical-abuse", "Physical abuse"),
        ("sexual-abuse", "Sexual abuse"),
        ("false-promises", "False promises"),
        ("psychoactive-substances", "Psychoactive substances"),
        ("restricts-movement", "Restricts movement, confinement"),
        ("restricts-medical-care", "Restricts medical care"),
        ("excessive-working-hours", "Excessive working hours"),
        (
            "uses-children",
            "Threats against or use of the victim's children",
        ),
        (
            "threat-of-law-enforcement",
            "Threat of law enforcement, deportation",
        ),
        (
            "withholds-necessities",
            "Withholds food, sleep or other necessities",
        ),
        (
            "withholds-documents",
            "Withholds identity or travel documents",
        ),
        (
            "religious-or-ritual",
            "Religious or ritual oaths (e.g. juju)",
        ),
        ("isolation", "Isolation from family, language or community"),
        ("other", "Other"),
    ],
};

/// Methods of recruitment (HTCDS).
pub static RECRUITMENT: Vocab = Vocab {
    name: "method of recruitment",
    values: &[
        ("personal-contact", "Personal contact, word of mouth"),
        ("job-offer", "Offer of a job"),
        ("education-offer", "Offer of education or training"),
        (
            "marriage-or-relationship",
            "Promise of marriage or a relationship (lover boy)",
        ),
        ("travel-or-migration-offer", "Offer of travel or migration"),
        ("online-advertisement", "Advertisement online"),
        ("social-media", "Social media or messaging contact"),
        ("print-advertisement", "Advertisement in print"),
        ("recruitment-agency", "Recruitment or employment agency"),
        ("modelling-agency", "Modelling or entertainment agency"),
        ("abduction", "Abduction, kidnapping"),
        ("sold-by-family", "Sold or given by family"),
        ("other", "Other"),
    ],
};

/// The recruiter's relation to the victim (CTDC `recruiterRelation…`).
pub static RECRUITER_RELATION: Vocab = Vocab {
    name: "recruiter relation",
    values: &[
        ("intimate-partner", "Intimate partner"),
        ("friend", "Friend"),
        ("family", "Family member"),
        ("acquaintance", "Acquaintance"),
        ("employer", "Employer"),
        ("stranger", "Stranger"),
        ("other", "Other"),
        ("unknown", "Unknown"),
    ],
};

/// Roles of a suspect in the trafficking or smuggling process (HTCDS).
pub static SUSPECT_ROLE: Vocab = Vocab {
    name: "role in the process",
    values: &[
        ("recruiter", "Recruiter"),
        ("transporter", "Transporter"),
        ("harbourer", "Harbourer, receiver"),
        ("exploiter", "Exploiter"),
        ("controller", "Controller, guard"),
        ("smuggler", "Smuggler"),
        ("document-forger", "Document forger or supplier"),
        ("financier", "Financier"),
        ("money-launderer", "Money launderer"),
        ("medical-staff", "Medical staff"),
        ("corrupt-official", "Corrupt official"),
        ("buyer", "Buyer, client"),
        ("organiser", "Organiser, leader"),
        ("other", "Other"),
    ],
};

/// Whether a victim is one, and how certain that is (HTCDS trafficking status).
pub static TRAFFICKING_STATUS: Vocab = Vocab {
    name: "trafficking status",
    values: &[
        ("presumed", "Presumed victim"),
        ("identified", "Identified victim (formally)"),
        ("self-identified", "Self-identified"),
        ("at-risk", "At risk, not (yet) trafficked"),
        ("not-trafficked", "Assessed as not trafficked"),
    ],
};

/// Who decided a victim's trafficking status.
pub static STATUS_DECIDED_BY: Vocab = Vocab {
    name: "status decided by",
    values: &[
        ("law-enforcement", "Law enforcement"),
        ("prosecution", "Prosecution"),
        ("court", "Court"),
        ("government-agency", "Other government agency"),
        ("international-organisation", "International organisation"),
        ("ngo", "Non-governmental organisation"),
        ("self", "The person themselves"),
    ],
};

/// Sex or gender as recorded.
pub static GENDER: Vocab = Vocab {
    name: "sex or gender",
    values: &[
        ("female", "Female"),
        ("male", "Male"),
        ("transgender-or-diverse", "Transgender or gender-diverse"),
        ("unknown", "Unknown"),
    ],
};

/// Age bands at the time of exploitation (CTDC's bands).
pub static AGE_BAND: Vocab = Vocab {
    name: "age band",
    values: &[
        ("0-8", "0 to 8"),
        ("9-17", "9 to 17"),
        ("18-20", "18 to 20"),
        ("21-23", "21 to 23"),
        ("24-26", "24 to 26"),
        ("27-29", "27 to 29"),
        ("30-38", "30 to 38"),
        ("39-47", "39 to 47"),
        ("48+", "48 and older"),
    ],
};

/// The band an age falls in.
pub fn age_band(age: u8) -> &'static str {
    match age {
        0..=8 => "0-8",
        9..=17 => "9-17",
        18..=20 => "18-20",
        21..=23 => "21-23",
        24..=26 => "24-26",
        27..=29 => "27-29",
        30..=38 => "30-38",
        39..=47 => "39-47",
        _ => "48+",
    }
}

/// Kinds of organisation involved in a case.
pub static ORGANISATION_KIND: Vocab = Vocab {
    name: "kind of organisation",
    values: &[
        ("front-company", "Front company"),
        ("employment-agency", "Employment or recruitment agency"),
        ("modelling-agency", "Modelling or entertainment agency"),
        ("travel-agency", "Travel agency"),
        ("clinic", "Clinic, hospital"),
        ("hotel-or-bar", "Hotel, bar, club or massage parlour"),
        ("transport-company", "Transport company"),
        ("money-service-business", "Money service business"),
        ("farm-or-factory", "Farm, factory or site of work"),
        ("other", "Other"),
    ],
};

/// What a country was in a route (a leg's role).
pub static ROUTE_ROLE: Vocab = Vocab {
    name: "route role",
    values: &[
        ("recruitment", "Recruitment (source)"),
        ("transit", "Transit"),
        ("exploitation", "Exploitation (destination)"),
    ],
};

/// Means of transport of a route leg.
pub static TRANSPORT: Vocab = Vocab {
    name: "means of transport",
    values: &[
        ("air", "Air"),
        ("road", "Road: car, bus, truck"),
        ("rail", "Rail"),
        ("sea", "Sea, boat"),
        ("on-foot", "On foot"),
        ("other", "Other"),
    ],
};

/// The state of a document used in a case.
pub static DOCUMENT_CONDITION: Vocab = Vocab {
    name: "document condition",
    values: &[
        ("genuine", "Genuine, used by its holder"),
        ("forged", "Forged or counterfeit"),
        ("stolen", "Stolen blank or stolen issued"),
        ("impostor", "Genuine, used by another person (look-alike)"),
        ("fraudulently-obtained", "Genuine, fraudulently obtained"),
        ("unknown", "Unknown"),
    ],
};

/// Platforms of online handles and the websites and apps a victim was recruited or exploited on.
pub static PLATFORM: Vocab = Vocab {
    name: "platform",
    values: &[
        ("facebook", "Facebook"),
        ("instagram", "Instagram"),
        ("tiktok", "TikTok"),
        ("telegram", "Telegram"),
        ("x", "X (Twitter)"),
        ("snapchat", "Snapchat"),
        ("vk", "VK"),
        ("onlyfans", "OnlyFans"),
        ("whatsapp", "WhatsApp"),
        ("signal", "Signal"),
        ("viber", "Viber"),
        ("wechat", "WeChat"),
        ("line", "LINE"),
        ("skype", "Skype"),
        ("tinder", "Tinder"),
        ("other", "Other website or app"),
    ],
};

/// Kinds of money movement.
pub static MONEY_KIND: Vocab = Vocab {
    name: "kind of money movement",
    values: &[
        ("bank-account", "Bank account"),
        ("transfer", "Money transfer (remittance service)"),
        ("cash", "Cash"),
        ("crypto", "Crypto-asset wallet or transfer"),
        ("other", "Other"),
    ],
};

/// What an address was in a case.
pub static ADDRESS_ROLE: Vocab = Vocab {
    name: "address role",
    values: &[
        ("residence", "Residence"),
        ("exploitation-site", "Site of exploitation"),
        ("safe-house", "Safe house, place of harbouring"),
        ("business", "Business premises"),
        ("other", "Other"),
    ],
};

/// Every list, for the documentation and the schema.
pub static ALL: &[&Vocab] = &[
    &CASE_STATUS,
    &CASE_FORM,
    &EXPLOITATION,
    &SEXUAL_EXPLOITATION,
    &LABOUR_SECTOR,
    &CONTROL,
    &RECRUITMENT,
    &RECRUITER_RELATION,
    &SUSPECT_ROLE,
    &TRAFFICKING_STATUS,
    &STATUS_DECIDED_BY,
    &GENDER,
    &AGE_BAND,
    &ORGANISATION_KIND,
    &ROUTE_ROLE,
    &TRANSPORT,
    &DOCUMENT_CONDITION,
    &PLATFORM,
    &MONEY_KIND,
    &ADDRESS_ROLE,
];
