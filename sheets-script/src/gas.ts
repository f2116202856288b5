// Short names for the Apps Script types the adapter uses.
/// <reference types="google-apps-script" />
export type Spreadsheet = GoogleAppsScript.Spreadsheet.Spreadsheet;
export type Sheet = GoogleAppsScript.Spreadsheet.Sheet;
export type Range = GoogleAppsScript.Spreadsheet.Range;
export type Properties = GoogleAppsScript.Properties.Properties;
export type EditEvent = GoogleAppsScript.Events.SheetsOnEdit;
