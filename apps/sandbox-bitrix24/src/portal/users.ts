// Employees (user.get, profile) and the notification log of im.notify*: who can be a responsible person or a
// business-process performer, who is an administrator (event.bind offline, bizproc.workflow.start), what was sent.
import { isMap, param, str, values, type Php, type PhpMap } from '../rest/php.ts';
import { isoDateTime } from './format.ts';

export interface User {
  ID: number;
  ACTIVE: boolean;
  NAME: string;
  LAST_NAME: string;
  SECOND_NAME: string;
  EMAIL: string;
  ADMIN: boolean;
  WORK_POSITION: string;
  PERSONAL_PHONE: string;
  PERSONAL_MOBILE: string;
  WORK_PHONE: string;
  UF_DEPARTMENT: number[];
  USER_TYPE: 'employee' | 'extranet' | 'email';
  DATE_REGISTER: number;
  LAST_LOGIN: number | null;
  XML_ID: string;
  TIME_ZONE: string;
}

export function makeUser(input: PhpMap, id: number, now: number): User {
  const dep = values(param(input, 'UF_DEPARTMENT')).map((x) => Number(x)).filter((x) => Number.isFinite(x));
  return {
    ID: id,
    ACTIVE: param(input, 'ACTIVE') === undefined ? true : param(input, 'ACTIVE') === true || str(param(input, 'ACTIVE')).toUpperCase() === 'Y' || str(param(input, 'ACTIVE')) === '1',
    NAME: str(param(input, 'NAME')),
    LAST_NAME: str(param(input, 'LAST_NAME')),
    SECOND_NAME: str(param(input, 'SECOND_NAME')),
    EMAIL: str(param(input, 'EMAIL')),
    ADMIN: param(input, 'ADMIN') === true || str(param(input, 'ADMIN')).toUpperCase() === 'Y',
    WORK_POSITION: str(param(input, 'WORK_POSITION')),
    PERSONAL_PHONE: str(param(input, 'PERSONAL_PHONE')),
    PERSONAL_MOBILE: str(param(input, 'PERSONAL_MOBILE')),
    WORK_PHONE: str(param(input, 'WORK_PHONE')),
    UF_DEPARTMENT: dep.length ? dep : [1],
    USER_TYPE: (['employee', 'extranet', 'email'] as const).find((t) => t === str(param(input, 'USER_TYPE'))) ?? 'employee',
    DATE_REGISTER: now,
    LAST_LOGIN: null,
    XML_ID: str(param(input, 'XML_ID')),
    TIME_ZONE: str(param(input, 'TIME_ZONE')),
  };
}

/** user.get row: ID as a string, ACTIVE a real boolean, departments as numbers (reference §6.14). */
export function renderUser(u: User, offsetMin: number): PhpMap {
  return {
    ID: String(u.ID),
    XML_ID: u.XML_ID,
    ACTIVE: u.ACTIVE,
    NAME: u.NAME,
    LAST_NAME: u.LAST_NAME,
    SECOND_NAME: u.SECOND_NAME,
    EMAIL: u.EMAIL,
    LAST_LOGIN: u.LAST_LOGIN === null ? '' : isoDateTime(u.LAST_LOGIN, offsetMin),
    DATE_REGISTER: isoDateTime(u.DATE_REGISTER, offsetMin),
    TIME_ZONE: u.TIME_ZONE,
    IS_ONLINE: 'N',
    TIME_ZONE_OFFSET: String(offsetMin * 60),
    TIMESTAMP_X: [],
    LAST_ACTIVITY_DATE: [],
    PERSONAL_GENDER: '',
    PERSONAL_PHONE: u.PERSONAL_PHONE,
    PERSONAL_MOBILE: u.PERSONAL_MOBILE,
    WORK_PHONE: u.WORK_PHONE,
    WORK_POSITION: u.WORK_POSITION,
    UF_DEPARTMENT: u.UF_DEPARTMENT,
    USER_TYPE: u.USER_TYPE,
  };
}

export function fullName(u: User | undefined): string {
  return u ? [u.NAME, u.LAST_NAME].filter(Boolean).join(' ') : '';
}

export interface Notification {
  ID: number;
  TO_USER_ID: number;
  FROM_USER_ID: number;
  TYPE: 'USER' | 'SYSTEM';
  MESSAGE: string;
  MESSAGE_OUT: string;
  TAG: string;
  SUB_TAG: string;
  ATTACH: Php;
  CLIENT_ID: string;
  METHOD: string;
  DATE: number;
}

export function notificationFrom(p: PhpMap): Omit<Notification, 'ID' | 'FROM_USER_ID' | 'METHOD' | 'DATE'> {
  // im.notify takes USER_ID (older clients send `to`); the message is trimmed before sending.
  const to = Number(str(param(p, 'USER_ID') ?? param(p, 'to')) || 0);
  const type = str(param(p, 'TYPE') ?? param(p, 'type')).toUpperCase() === 'SYSTEM' ? 'SYSTEM' : 'USER';
  const attach = param(p, 'ATTACH');
  return {
    TO_USER_ID: to,
    TYPE: type,
    MESSAGE: str(param(p, 'MESSAGE') ?? param(p, 'message')).trim(),
    MESSAGE_OUT: str(param(p, 'MESSAGE_OUT')),
    TAG: str(param(p, 'TAG') ?? param(p, 'tag')),
    SUB_TAG: str(param(p, 'SUB_TAG') ?? param(p, 'sub_tag')),
    ATTACH: isMap(attach) || Array.isArray(attach) ? attach : attach === undefined ? null : str(attach),
    CLIENT_ID: str(param(p, 'CLIENT_ID')),
  };
}
