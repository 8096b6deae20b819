"""The tct: vocabulary as a closed rdflib namespace.

Generated — do not edit. Regenerate with ``python -m transferkg.core._generate``.
"""

from __future__ import annotations

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef


class TCT(DefinedNamespace):
    """Terms of https://w3id.org/tct/ontology# (unknown terms raise)."""

    _fail = True
    _NS = Namespace("https://w3id.org/tct/ontology#")

    Agreement: URIRef
    Arrival: URIRef
    Claim: URIRef
    Cohort: URIRef
    CourtDecision: URIRef
    CourtRuling: URIRef
    DeportationFlight: URIRef
    Event: URIRef
    Facility: URIRef
    LegalChallenge: URIRef
    Legislation: URIRef
    Migrant: URIRef
    NewsArticle: URIRef
    OfficialStatement: URIRef
    Programme: URIRef
    RecognitionAct: URIRef
    Report: URIRef
    SelectionCriterion: URIRef
    Source: URIRef
    State: URIRef
    StatusChange: URIRef
    TransferAgreement: URIRef
    TransferEvent: URIRef
    actsFor: URIRef
    announcementDate: URIRef
    arrangementKind: URIRef
    asOf: URIRef
    attributedTo: URIRef
    capacity: URIRef
    caseIdentifier: URIRef
    challenges: URIRef
    changesStatusOf: URIRef
    claimProperty: URIRef
    claimSubject: URIRef
    claimable: URIRef
    conflictsWith: URIRef
    cost: URIRef
    court: URIRef
    criterionType: URIRef
    currentStatus: URIRef
    currentStatusChange: URIRef
    date: URIRef
    dateNote: URIRef
    detentionFacility: URIRef
    duration: URIRef
    earliestDate: URIRef
    effective: URIRef
    eligibleNationality: URIRef
    eventType: URIRef
    firstRelease: URIRef
    hostingModality: URIRef
    inChallenge: URIRef
    independenceDate: URIRef
    independentFrom: URIRef
    instrumentType: URIRef
    isoCode: URIRef
    knownBy: URIRef
    latestDate: URIRef
    legalBasis: URIRef
    lifecycleStage: URIRef
    literalValue: URIRef
    maximumStay: URIRef
    memberOf: URIRef
    nationality: URIRef
    nationalityStatus: URIRef
    note: URIRef
    objectValue: URIRef
    operative: URIRef
    orderBasis: URIRef
    outcome: URIRef
    partOf: URIRef
    partOfProgramme: URIRef
    party: URIRef
    payment: URIRef
    personCount: URIRef
    personsTransferred: URIRef
    place: URIRef
    protectionStatus: URIRef
    purpose: URIRef
    quantityQualifier: URIRef
    quantityValue: URIRef
    quote: URIRef
    rank: URIRef
    rankReason: URIRef
    receivingState: URIRef
    recognitionAction: URIRef
    recognitionCount: URIRef
    recognized: URIRef
    recognizer: URIRef
    relatedAgreement: URIRef
    selectedBy: URIRef
    selectionCriterion: URIRef
    sendingState: URIRef
    signingDate: URIRef
    sourceType: URIRef
    speaker: URIRef
    status: URIRef
    statusSequence: URIRef
    transferFrom: URIRef
    transferTo: URIRef
    transferred: URIRef
    underAgreement: URIRef
    urlWithheld: URIRef
    valueBasis: URIRef
    variantOf: URIRef
    vote: URIRef
