/** A sample tele-expertise XDM package: a CDA consult request and a PDF (an ECG), for a patient with an INS. */
import type { XdmPackageInput } from '../../../src/payload/xdm/build-xdm-package.ts';

export const SAMPLE_INS = '284037512345640';
export const SAMPLE_RPPS_NATIONAL = '810001234567';

/** A minimal but real PDF 1.4 (one empty page). */
export const SAMPLE_PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
  'latin1',
);

export const SAMPLE_CDA = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>
  <id root="1.2.250.1.999.1.2.3" extension="CDA-0001"/>
  <code code="11488-4" codeSystem="2.16.840.1.113883.6.1" displayName="Consult note"/>
  <title>Demande de t&#233;l&#233;expertise &amp; ECG</title>
  <effectiveTime value="20260115103000+0100"/>
  <confidentialityCode code="N" codeSystem="2.16.840.1.113883.5.25"/>
  <recordTarget>
    <patientRole>
      <id root="1.2.250.1.213.1.4.8" extension="${SAMPLE_INS}"/>
      <patient>
        <name><given>Marie</given><family>DUPONT</family></name>
        <administrativeGenderCode code="F" codeSystem="2.16.840.1.113883.5.1"/>
        <birthTime value="19840312"/>
      </patient>
    </patientRole>
  </recordTarget>
  <author>
    <time value="20260115103000+0100"/>
    <assignedAuthor>
      <id root="1.2.250.1.71.4.2.1" extension="${SAMPLE_RPPS_NATIONAL}"/>
      <telecom value="mailto:jean.martin@medecin.mssante.fr"/>
      <assignedPerson><name><prefix>Dr</prefix><given>Jean</given><family>MARTIN</family></name></assignedPerson>
      <representedOrganization><name>Cabinet du Parc</name></representedOrganization>
    </assignedAuthor>
  </author>
  <custodian><assignedCustodian><representedCustodianOrganization><id root="1.2.250.1.71.4.2.2" extension="123456789"/></representedCustodianOrganization></assignedCustodian></custodian>
  <authorization>
    <consent>
      <code code="TE" codeSystem="1.2.250.1.999.2" displayName="Consentement téléexpertise"/>
      <statusCode code="completed"/>
    </consent>
  </authorization>
  <component><nonXMLBody><text mediaType="text/plain">Palpitations depuis 3 semaines, ECG joint. Avis cardiologique ?</text></nonXMLBody></component>
</ClinicalDocument>
`);

export function sampleXdmInput(): XdmPackageInput {
  return {
    submissionSetId: '1.2.250.1.999.3.20260115.1',
    sourceId: '1.2.250.1.999.3',
    submissionTime: '20260115093000',
    title: 'Avis cardiologique',
    comments: 'Merci de votre avis',
    patientId: `${SAMPLE_INS}^^^&1.2.250.1.213.1.4.8&ISO^NH`,
    patientInfo: ['PID-5|DUPONT^Marie^^^', 'PID-7|19840312', 'PID-8|F'],
    authorPerson: `${SAMPLE_RPPS_NATIONAL}^MARTIN^Jean^^^Dr^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS`,
    authorInstitution: 'Cabinet du Parc^^^^^&1.2.250.1.71.4.2.2&ISO^^^^123456789',
    authorSpecialty: 'SM54^Médecine générale^1.2.250.1.213.2.28',
    authorEmail: 'jean.martin@medecin.mssante.fr',
    intendedRecipientEmail: 'cardiologie@chu.mssante.fr',
    documents: [
      {
        uri: 'DOC0001.XML',
        mimeType: 'text/xml',
        data: SAMPLE_CDA,
        uniqueId: '1.2.250.1.999.1.2.3.1',
        title: 'Demande de téléexpertise',
        creationTime: '20260115093000',
        typeCode: '11488-4^Consult note^2.16.840.1.113883.6.1',
        classCode: '11488-4^Consult note^2.16.840.1.113883.6.1',
        formatCode: 'urn:ihe:iti:xds-sd:text:2008^Scanned text^1.3.6.1.4.1.19376.1.2.3',
      },
      {
        uri: 'DOC0002.PDF',
        mimeType: 'application/pdf',
        data: SAMPLE_PDF,
        uniqueId: '1.2.250.1.999.1.2.3.2',
        title: 'ECG 12 dérivations',
        creationTime: '20260114160000',
        typeCode: '11524-6^EKG study^2.16.840.1.113883.6.1',
      },
    ],
  };
}
