// DMService round trips (reference §2.4.2, flow F9): one `execute` operation with polymorphic DM*Request types over
// SOAP 1.1, documents and files with versions, approval routes with stages, task results, and XDTO's element order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { DEMO } from './model/demo.ts';
import type { OneCSandbox } from './server.ts';
import { Client, startStandard } from './test-helpers.ts';

let sb: OneCSandbox;
const M = DEMO.dm;
const PETROV = `Basic ${Buffer.from('Петров Петр Петрович:dm', 'utf8').toString('base64')}`;

beforeAll(async () => {
  sb = await startStandard();
});
afterAll(() => sb.close());

const parser = new XMLParser({ ignoreAttributes: false, removeNSPrefix: true, attributeNamePrefix: '@', parseTagValue: false, isArray: (name) => ['items', 'objects', 'tasks', 'performers', 'files', 'settings', 'objectIds'].includes(name) });

type X = Record<string, unknown>;

async function call(requestType: string, inner: string, auth = PETROV): Promise<{ status: number; ret: X; fault?: string; text: string }> {
  const envelope = `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><m:execute xmlns:m="http://www.1c.ru/dm"><m:request xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="http://www.w3.org/2001/XMLSchema" xsi:type="m:${requestType}"><m:dataBaseID/>${inner}</m:request></m:execute></soap:Body></soap:Envelope>`;
  const res = await fetch(`${sb.url}/dm/ws/DMService`, { method: 'POST', headers: { authorization: auth, 'content-type': 'text/xml; charset=utf-8', soapaction: '"http://www.1c.ru/dm#DMService:execute"' }, body: envelope });
  const text = await res.text();
  const doc = parser.parse(text) as { Envelope: { Body: { executeResponse?: { return: X }; Fault?: { faultstring: string } } } };
  const body = doc.Envelope.Body;
  return { status: res.status, ret: body.executeResponse?.return ?? {}, ...(body.Fault ? { fault: body.Fault.faultstring } : {}), text };
}

const id = (o: unknown) => (o as { objectID: { id: string } }).objectID.id;
const ref = (type: string, key: string, name = '') => `<m:name>${name}</m:name><m:objectID><m:id>${key}</m:id><m:type>${type}</m:type></m:objectID>`;

describe('DMService (SOAP 1.1, single execute operation)', () => {
  it('publishes a WSDL with the execute operation and the documented SOAPAction', async () => {
    const res = await fetch(`${sb.url}/dm/ws/DMService?wsdl`, { headers: { authorization: PETROV } });
    const wsdl = await res.text();
    expect(res.status).toBe(200);
    expect(wsdl).toContain('targetNamespace="http://www.1c.ru/dm"');
    expect(wsdl).toContain('soapAction="http://www.1c.ru/dm#DMService:execute"');
    expect(wsdl).toContain('<xs:complexType name="DMGetObjectListRequest">');
  });

  it('answers version and current user with typed returns', async () => {
    const v = await call('DMGetVersionRequest', '');
    expect(v.status).toBe(200);
    expect(v.ret['@type']).toBe('m:DMGetVersionResponse');
    expect(v.ret['versionNumber']).toBe('2.1.37.5.CORP');
    const u = await call('DMGetCurrentUserRequest', '');
    const user = u.ret['user'] as X;
    expect(user['@type']).toBe('m:DMUser');
    expect(user['name']).toBe('Петров Петр Петрович');
    expect(id(user)).toBe(M.petrov);
    expect((user['objectID'] as X)['navigationRef']).toMatch(/^e1cib\/data\/Справочник\.Пользователи\?ref=[0-9a-f]{32}$/);
  });

  it('lists objects with limit and tooManyObjects', async () => {
    const all = await call('DMGetObjectListRequest', '<m:type>DMInternalDocumentType</m:type><m:query><m:limit>500</m:limit></m:query>');
    const items = all.ret['items'] as X[];
    expect(items.map((i) => (i['object'] as X)['name'])).toEqual(['Служебная записка', 'Приказ', 'Договор']);
    expect((items[0]!['object'] as X)['@type']).toBe('m:DMInternalDocumentType');
    expect(all.ret['tooManyObjects']).toBe('false');
    const one = await call('DMGetObjectListRequest', '<m:type>DMInternalDocumentType</m:type><m:query><m:limit>1</m:limit></m:query>');
    expect(one.ret['items']).toHaveLength(1);
    expect(one.ret['tooManyObjects']).toBe('true');
    const like = await call('DMGetObjectListRequest', '<m:type>DMInternalDocument</m:type><m:query><m:conditions><m:property>title</m:property><m:value xsi:type="xs:string">%ноутбук%</m:value><m:comparisonOperator>LIKE</m:comparisonOperator></m:conditions></m:query>');
    expect((like.ret['items'] as X[]).map((i) => id(i['object']))).toEqual([M.memo]);
    const bad = await call('DMGetObjectListRequest', '<m:type>DMInternalDocument</m:type><m:columnSet>нетТакого</m:columnSet>');
    expect(bad.status).toBe(500);
    expect(bad.fault).toBe('Поле объекта не обнаружено (нетТакого)');
  });

  it('creates a document from a new-object template; OData sees it; files get versions', async () => {
    const blank = await call('DMGetNewObjectRequest', '<m:type>DMInternalDocument</m:type>');
    expect((blank.ret['object'] as X)['author']).toMatchObject({ name: 'Петров Петр Петрович' });
    const created = await call(
      'DMCreateRequest',
      `<m:object xsi:type="m:DMInternalDocument"><m:name>Договор поставки</m:name><m:objectID><m:id/><m:type>DMInternalDocument</m:type></m:objectID>` +
        `<m:organization xsi:type="m:DMOrganization">${ref('DMOrganization', M.organization)}</m:organization>` +
        `<m:summary>Поставка ноутбуков</m:summary><m:title>Договор поставки № 7</m:title><m:regNumber>Д-7</m:regNumber><m:regDate>2025-03-10T00:00:00</m:regDate>` +
        `<m:documentType xsi:type="m:DMInternalDocumentType">${ref('DMInternalDocumentType', M.kindContract)}</m:documentType></m:object>`,
    );
    expect(created.status, created.text).toBe(200);
    const doc = created.ret['object'] as X;
    const docId = id(doc);
    expect(doc).toMatchObject({ title: 'Договор поставки № 7', regNumber: 'Д-7', regDate: '2025-03-10T00:00:00', status: 'Проект' });
    const od = new Client(sb.odataUrl('dm'));
    const seen = await od.get(`Catalog_ВнутренниеДокументы(guid'${docId}')`);
    expect(seen.json).toMatchObject({ Description: 'Договор поставки', Заголовок: 'Договор поставки № 7', ВидДокумента_Key: M.kindContract, Подготовил_Key: M.petrov });

    const v1 = Buffer.from('%PDF-1.4 first version').toString('base64');
    const added = await call('DMAddFileRequest', `<m:file><m:name>Договор.pdf</m:name><m:objectID><m:id/><m:type>DMFile</m:type></m:objectID><m:binaryData>${v1}</m:binaryData><m:extension>pdf</m:extension></m:file><m:owner xsi:type="m:DMInternalDocument">${ref('DMInternalDocument', docId)}</m:owner>`);
    expect(added.status, added.text).toBe(200);
    const fileId = id(added.ret['file']);
    expect(added.ret['file']).toMatchObject({ name: 'Договор', extension: 'pdf', versionNumber: '1', size: String(Buffer.from(v1, 'base64').length) });
    const v2 = Buffer.from('%PDF-1.4 second, longer version').toString('base64');
    const again = await call('DMAddFileRequest', `<m:file><m:name>Договор.pdf</m:name><m:objectID><m:id>${fileId}</m:id><m:type>DMFile</m:type></m:objectID><m:binaryData>${v2}</m:binaryData><m:extension>pdf</m:extension></m:file>`);
    expect(id(again.ret['file'])).toBe(fileId);
    expect((again.ret['file'] as X)['versionNumber']).toBe('2');
    const listed = await call('DMGetFileListByOwnerRequest', `<m:owners xsi:type="m:DMInternalDocument">${ref('DMInternalDocument', docId)}</m:owners>`);
    expect(((listed.ret['items'] as X[])[0]!['files'] as X[]).map((f) => id(f))).toEqual([fileId]);
    const latest = await call('DMGetFileRequest', `<m:file xsi:type="m:DMFile">${ref('DMFile', fileId)}</m:file>`);
    expect((latest.ret['file'] as X)['binaryData']).toBe(v2);
    const first = await call('DMGetFileRequest', `<m:file xsi:type="m:DMFile">${ref('DMFile', fileId)}</m:file><m:versionNumber>1</m:versionNumber>`);
    expect((first.ret['file'] as X)['binaryData']).toBe(v1);
    const versions = await od.value('Catalog_ВерсииФайлов', { $filter: `Owner_Key eq guid'${fileId}'`, $orderby: 'НомерВерсии' });
    expect(versions.map((v) => v['НомерВерсии'])).toEqual([1, 2]);
    const files = await od.value('Catalog_Файлы', { $filter: `ВладелецФайла eq cast(guid'${docId}', 'Catalog_ВнутренниеДокументы')` });
    expect(files.map((f) => f['ТекущаяВерсия_Key'])).toEqual([versions[1]!['Ref_Key']]);
    // The version's bytes are readable through OData too, as a value storage of ДвоичныеДанныеФайлов.
    const bin = await od.value('InformationRegister_ДвоичныеДанныеФайлов', { $filter: `Файл eq cast(guid'${String(versions[0]!['Ref_Key'])}', 'Catalog_ВерсииФайлов')` });
    expect(bin[0]).toMatchObject({ ДвоичныеДанныеФайла_Base64Data: v1, ДвоичныеДанныеФайла_Type: 'application/octet-stream' });
  });

  it('runs an approval route: a parallel stage, then a sequential one, results and comments back', async () => {
    const od = new Client(sb.odataUrl('dm'));
    const tmpl = await call('DMGetNewBusinessProcessRequest', `<m:type>DMBusinessProcessApproval</m:type><m:targetID><m:id>${M.memo}</m:id><m:type>DMInternalDocument</m:type></m:targetID>`);
    const bp = tmpl.ret['businessProcess'] as X;
    expect(bp).toMatchObject({ name: 'Согласование: О закупке ноутбуков', importance: 'Обычная', approvalType: 'Параллельно' });
    const performer = (user: string, name: string, order: string) =>
      `<m:performers><m:user xsi:type="m:DMUser">${ref('DMUser', user, name)}</m:user><m:personalDueDate>2025-03-20T18:00:00</m:personalDueDate><m:order>${order}</m:order></m:performers>`;
    const launched = await call(
      'DMLaunchBusinessProcessRequest',
      `<m:businessProcess xsi:type="m:DMBusinessProcessApproval"><m:name>Согласование закупки</m:name><m:objectID><m:id/><m:type>DMBusinessProcessApproval</m:type></m:objectID>` +
        `<m:importance>Высокая</m:importance><m:target xsi:type="m:DMInternalDocument">${ref('DMInternalDocument', M.memo)}</m:target>` +
        `<m:approvalType>Смешанно</m:approvalType>${performer(M.petrov, 'Петров', 'ПослеПредыдущего')}${performer(M.sidorova, 'Сидорова', 'ВместеСПредыдущим')}${performer(M.ivanov, 'Иванов', 'ПослеПредыдущего')}</m:businessProcess>`,
    );
    expect(launched.status, launched.text).toBe(200);
    const bpId = id(launched.ret['businessProcess']);
    const firstStage = launched.ret['tasks'] as X[];
    expect(firstStage.map((t) => [t['@type'], id(t['performer'])])).toEqual([
      ['m:DMBusinessProcessApprovalTaskApproval', M.petrov],
      ['m:DMBusinessProcessApprovalTaskApproval', M.sidorova],
    ]);
    expect((await od.get(`Catalog_ВнутренниеДокументы(guid'${M.memo}')`)).json['Состояние']).toBe('НаСогласовании');

    // Petrov's task list (byUser) and the same tasks through OData with the composite Исполнитель.
    const mine = await call('DMGetObjectListRequest', '<m:type>DMBusinessProcessTask</m:type><m:query><m:conditions><m:property>byUser</m:property><m:value xsi:type="xs:string">true</m:value></m:conditions></m:query>');
    const petrovTask = (mine.ret['items'] as X[]).map((i) => i['object'] as X).find((t) => id(t['businessProcess']) === bpId)!;
    const odTasks = await od.value('Task_ЗадачаИсполнителя', { $filter: `Исполнитель eq cast(guid'${M.petrov}', 'Catalog_Пользователи') and Executed eq false` });
    expect(odTasks.map((t) => t['Ref_Key'])).toContain(id(petrovTask));

    const accepted = await call('DMAcceptTasksRequest', `<m:tasks xsi:type="m:DMBusinessProcessApprovalTaskApproval">${ref('DMBusinessProcessApprovalTaskApproval', id(petrovTask))}</m:tasks>`);
    expect((accepted.ret['tasks'] as X[])[0]!['accepted']).toBe('true');
    const execute = (task: string, result: string, comment: string) =>
      call(
        'DMUpdateRequest',
        `<m:objects xsi:type="m:DMBusinessProcessApprovalTaskApproval">${ref('DMBusinessProcessApprovalTaskApproval', task)}<m:executed>true</m:executed><m:executionComment>${comment}</m:executionComment>` +
          `<m:approvalResult xsi:type="m:DMApprovalResult"><m:name>${result}</m:name><m:objectID><m:id>${result}</m:id><m:type>DMApprovalResult</m:type></m:objectID></m:approvalResult></m:objects>`,
      );
    expect((await execute(id(petrovTask), 'Согласовано', 'Не возражаю')).status).toBe(200);
    // The second stage waits until the whole first stage is done.
    expect((await od.value('Task_ЗадачаИсполнителя', { $filter: `Исполнитель eq cast(guid'${M.ivanov}', 'Catalog_Пользователи')` })).length).toBe(0);
    const sidorovaTask = firstStage.find((t) => id(t['performer']) === M.sidorova)!;
    expect((await execute(id(sidorovaTask), 'СогласованоСЗамечаниями', 'Уточнить сроки')).status).toBe(200);
    const ivanovTasks = await od.value('Task_ЗадачаИсполнителя', { $filter: `Исполнитель eq cast(guid'${M.ivanov}', 'Catalog_Пользователи')` });
    expect(ivanovTasks).toHaveLength(1);
    expect(ivanovTasks[0]).toMatchObject({ RoutePoint: 'Согласовать', BusinessProcess: bpId, BusinessProcess_Type: 'StandardODATA.BusinessProcess_Согласование', Предмет: M.memo });
    const done = await execute(String(ivanovTasks[0]!['Ref_Key']), 'НеСогласовано', 'Бюджет исчерпан');
    expect(((done.ret['objects'] as X[])[0]!['approvalResult'] as X)['name']).toBe('Не согласовано');

    const process = await od.get(`BusinessProcess_Согласование(guid'${bpId}')`);
    expect(process.json).toMatchObject({ Completed: true, Состояние: 'Завершен', РезультатСогласования: 'НеСогласовано', ВариантСогласования: 'Смешанно' });
    expect((await od.get(`Catalog_ВнутренниеДокументы(guid'${M.memo}')`)).json['Состояние']).toBe('НеСогласован');
    const sheet = await call('DMGetApprovalSheetRequest', `<m:object xsi:type="m:DMInternalDocument">${ref('DMInternalDocument', M.memo)}</m:object>`);
    expect((sheet.ret['items'] as X[]).map((i) => [i['name'], i['result'], i['comment']])).toEqual([
      ['Петров Петр Петрович', 'Согласовано', 'Не возражаю'],
      ['Сидорова Анна Сергеевна', 'Согласовано с замечаниями', 'Уточнить сроки'],
      ['Иванов Иван Иванович', 'Не согласовано', 'Бюджет исчерпан'],
    ]);
    const twice = await execute(String(ivanovTasks[0]!['Ref_Key']), 'Согласовано', 'x');
    expect(twice.status).toBe(500);
    expect(twice.fault).toContain('уже выполнена');
  });

  it('enforces XDTO element order and types with SOAP faults (HTTP 500)', async () => {
    const swapped = await call('DMGetObjectListRequest', '<m:query><m:limit>5</m:limit></m:query><m:type>DMInternalDocument</m:type>');
    expect(swapped.status).toBe(500);
    expect(swapped.text).toContain('<faultcode>soap:Server</faultcode>');
    expect(swapped.fault).toContain("Нарушен порядок свойств: свойство 'type' не может следовать за 'query'");
    const missing = await call('DMGetObjectListRequest', '');
    expect(missing.fault).toContain('Отсутствует обязательное свойство: type');
    const unknown = await call('DMGetObjectListRequest', '<m:type>DMInternalDocument</m:type><m:foo/>');
    expect(unknown.fault).toContain('Неизвестное свойство: foo');
    const noType = await call('DMCreateRequest', '<m:object><m:name>x</m:name></m:object>');
    expect(noType.fault).toContain('нужен xsi:type');
    const wrongRequest = await call('DMDoSomethingRequest', '');
    expect(wrongRequest.fault).toContain('неизвестный тип запроса DMDoSomethingRequest');
    const notFound = await call('DMRetrieveRequest', '<m:objectIds><m:id>11111111-1111-1111-1111-111111111111</m:id><m:type>DMInternalDocument</m:type></m:objectIds>');
    expect(notFound.fault).toContain('Объект не найден');
  });

  it('lets OData start a performance process and execute its tasks; tasks are never written directly', async () => {
    const od = new Client(sb.odataUrl('dm'));
    const bp = await od.post('BusinessProcess_Исполнение', {
      Date: '2025-03-11T09:00:00',
      Наименование: 'Подготовить договор',
      Автор_Key: M.ivanov,
      Предмет: M.memo,
      Предмет_Type: 'StandardODATA.Catalog_ВнутренниеДокументы',
      ВариантИсполнения: 'Последовательно',
      Исполнители: [
        { LineNumber: '1', Исполнитель: M.petrov, Исполнитель_Type: 'StandardODATA.Catalog_Пользователи', ОтветственныйИсполнитель: true },
        { LineNumber: '2', Исполнитель: M.sidorova, Исполнитель_Type: 'StandardODATA.Catalog_Пользователи' },
      ],
    });
    expect(bp.status, bp.text).toBe(201);
    const url = `BusinessProcess_Исполнение(guid'${String(bp.json['Ref_Key'])}')`;
    expect((await od.post(`${url}/Start`)).status).toBe(200);
    expect((await od.post(`${url}/Start`)).status).toBe(500);
    const tasks = () => od.value('Task_ЗадачаИсполнителя', { $filter: `BusinessProcess eq cast(guid'${String(bp.json['Ref_Key'])}', 'BusinessProcess_Исполнение')`, $orderby: 'Number' });
    const first = await tasks();
    expect(first.map((t) => [t['Исполнитель'], t['RoutePoint'], t['Executed']])).toEqual([[M.petrov, 'Исполнить', false]]);
    expect((await od.post(`Task_ЗадачаИсполнителя(guid'${String(first[0]!['Ref_Key'])}')/ExecuteTask`, { РезультатВыполнения: 'Проект договора готов' })).status).toBe(200);
    const second = await tasks();
    expect(second.map((t) => [t['Исполнитель'], t['Executed']])).toEqual([
      [M.petrov, true],
      [M.sidorova, false],
    ]);
    // A person executing the task on the ДО side (what the Bitrix24 → DM direction waits for).
    const executed = await fetch(`${sb.url}/_admin/infobases/dm/tasks/${String(second[1]!['Ref_Key'])}/execute`, { method: 'POST', body: JSON.stringify({ РезультатВыполнения: 'Проверено' }) });
    expect(executed.status).toBe(200);
    const done = await od.get(url);
    expect(done.json).toMatchObject({ Completed: true, Состояние: 'Завершен' });
    expect((done.json['Исполнители'] as Array<Record<string, unknown>>).map((r) => r['РезультатВыполнения'])).toEqual(['Проект договора готов', 'Проверено']);
    const direct = await od.post('Task_ЗадачаИсполнителя', { Description: 'Сама по себе' });
    expect(direct.status).toBe(500);
    expect((direct.json['odata.error'] as { message: { value: string } }).message.value).toBe('Задачи создаются только бизнес-процессами');
  });

  it('requires Basic auth and is published only in ДО infobases', async () => {
    const r = await fetch(`${sb.url}/dm/ws/DMService`, { method: 'POST', body: '<x/>' });
    expect(r.status).toBe(401);
    const ut = await fetch(`${sb.url}/ut/ws/DMService`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from('odata:odata').toString('base64')}` }, body: '<x/>' });
    expect(ut.status).toBe(500);
    expect(await ut.text()).toContain('не опубликован');
  });
});
