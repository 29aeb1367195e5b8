// The exact texts 1c_exchange.php answers with, from the Russian language files of the catalog.import.1c and
// sale.export.1c components (sent in windows-1251). Two components, two wordings for some of the same codes.

export const CATALOG = {
  ERROR_SOURCE_CHECK: 'Ошибка проверки источника запроса. Обновите модуль обмена или отключите проверку в настройках компонента.',
  ERROR_AUTHORIZE: 'Ошибка авторизации. Неверное имя пользователя или пароль.',
  PERMISSION_DENIED: 'У Вас нет прав для импорта каталога. Проверьте настройки компонента импорта.',
  ERROR_FILE_WRITE: 'Ошибка записи в файл #FILE_NAME#.',
  ERROR_UNKNOWN_COMMAND: 'Неизвестная команда.',
  TABLES_DROPPED: 'Временные таблицы удалены.',
  TABLES_CREATED: 'Временные таблицы созданы.',
  FILE_READ: 'Файл импорта прочитан.',
  FILE_ERROR: 'Ошибка открытия файла импорта.',
  FILE_PROGRESS: 'Обработано #PERCENT#% файла.',
  INDEX_CREATED: 'Временные таблицы проиндексированы.',
  METADATA_ERROR: 'Ошибка импорта метаданных.',
  METADATA_IMPORTED: 'Метаданные импортированы успешно.',
  PROGRESS: 'Обработано #DONE# из #TOTAL# элементов.',
  DONE: 'Загрузка элементов завершена.',
  IMPORT_SUCCESS: 'Импорт успешно завершен.',
  DEA_DONE: 'Деактивация/Удаление элементов завершены.',
  ZIP_ERROR: 'Ошибка распаковки архива.',
  ZIP_DONE: 'Распаковка архива завершена.',
  SECTIONS_IMPORTED: 'Группы импортированы.',
  SECTION_DEA_DONE: 'Деактивация/удаление групп завершено.',
  DEACTIVATION_DONE: 'Деактивация элементов завершена.',
  DEACTIVATION_ERROR: 'Ошибка деактивации элементов.',
  /** CC_BSC1_IMPORT_COMPLETE is not in the language files we have: UNCONFIRMED wording. */
  IMPORT_COMPLETE: 'Импорт завершен.',
} as const;

export const SALE = {
  ERROR_AUTHORIZE: 'Ошибка авторизации. Неверное имя пользователя или пароль.',
  PERMISSION_DENIED: 'У Вас нет прав для обмена. Проверьте настройки компонента.',
  ERROR_SOURCE_CHECK: 'Ошибка проверки источника запроса. Обновите модуль обмена.',
  ERROR_UNKNOWN_COMMAND: 'Неизвестная команда.',
  ERROR_FILE_WRITE: 'Ошибка записи в файл #FILE_NAME#.',
  ZIP_ERROR: 'Ошибка распаковки архива.',
  ZIP_DONE: 'Распаковка архива завершена.',
  EMPTY_CML: 'Файл для импорта пуст.',
  ORDER_NOT_FOUND: 'Заказ №#ID# на сайте не найден.',
  /** Not a Bitrix text: the real loader skips what it cannot parse (UNCONFIRMED behaviour, see README). */
  XML_ERROR: 'Ошибка разбора XML: #ERROR#',
} as const;

/** The admin script's own answer for a `type` no component handles (plain ASCII, no trailing newline). */
export const UNKNOWN_TYPE = 'failure\nUnknown command type.';

export function fill(template: string, vars: Record<string, string | number>): string {
  return template.replace(/#([A-Z_]+)#/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}
